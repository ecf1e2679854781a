using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Settings;

/// <summary>
/// The download of all my notes: <c>?format=zip</c> (Markdown files, the default) or <c>?format=json</c> (for import;
/// with <c>&amp;history=true</c>, each note's earlier versions too).
/// The API's answer is passed on as it arrives, so a large account never sits in the site's memory.
/// </summary>
public sealed class ExportModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public async Task<IActionResult> OnGetAsync(string? format, string? history)
    {
        if (format is not (null or "zip" or "json") || history is not (null or "true" or "false") || (history == "true" && format != "json"))
        {
            return NotFound();
        }

        var download = await Api.ExportAsync(zip: format != "json", withHistory: history == "true", Aborted);
        HttpContext.Response.RegisterForDispose(download);
        return File(await download.OpenAsync(Aborted), download.ContentType, download.FileName);
    }
}
