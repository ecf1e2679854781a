using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Settings;

[RefuseOversizedUploads]
[RequestSizeLimit(ImportLimits.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportLimits.MaxRequestBytes)]
public sealed class ImportModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    public IFormFile? Upload { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Upload is not { Length: > 0 } upload)
        {
            ModelState.AddModelError(nameof(Upload), "Choose a Notejam JSON export to import.");
            return Page();
        }

        if (upload.Length > ImportLimits.MaxFileBytes)
        {
            ModelState.AddModelError(nameof(Upload), string.Create(CultureInfo.InvariantCulture,
                $"This file is {upload.Length / 1024.0 / 1024.0:0.#} MB; an import takes at most {ImportLimits.MaxFileMegabytes} MB. Nothing was imported."));
            return Page();
        }

        await using var json = upload.OpenReadStream();
        var imported = await Api.ImportAsync(json, Aborted);
        if (imported is not { Succeeded: true, Value: { } summary })
        {
            // The API names where the first problem is ("pads[1].notes[0].name: A note needs a name.").
            ModelState.AddModelError(nameof(Upload), $"Nothing was imported. {imported.Detail ?? imported.Title ?? "The file is not a Notejam export."}");
            return Page();
        }

        Flash(string.Create(CultureInfo.InvariantCulture,
            $"Notes are successfully imported: {Count(summary.NotesImported, "note")}, {Count(summary.PadsCreated, "new pad")}"));
        return Redirect("/");
    }

    private static string Count(int count, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {what}{(count == 1 ? "" : "s")}");
}
