using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Settings;

/// <summary>
/// The download of all my notes: <c>?format=zip</c> (Markdown files, the default) or <c>?format=json</c> (for import).
/// The API's answer is passed on as it arrives, so a large account never sits in the site's memory.
/// </summary>
public sealed class ExportModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public async Task<IActionResult> OnGetAsync(string? format)
    {
        if (format is not (null or "zip" or "json"))
        {
            return NotFound();
        }

        var download = await Api.ExportAsync(zip: format != "json", Aborted);
        HttpContext.Response.RegisterForDispose(download);
        return File(await download.OpenAsync(Aborted), download.ContentType, download.FileName);
    }
}
