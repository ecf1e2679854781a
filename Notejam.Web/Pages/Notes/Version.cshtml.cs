using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

/// <summary>One earlier version of a note: what changed from the one before it, and "Restore this version".</summary>
public sealed class VersionModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Note Note { get; private set; } = null!;

    public NoteVersionResponse Version { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id, long versionId) =>
        await LoadAsync(id, versionId) ? Page() : NotFound();

    /// <summary>
    /// Restores the version from the note as this page showed it (<paramref name="noteVersion"/>): when the note was
    /// saved since, nothing changes and the page says so, as the edit form does.
    /// </summary>
    public async Task<IActionResult> OnPostAsync(int id, long versionId, uint noteVersion)
    {
        var outcome = await Api.RestoreVersionAsync(id, versionId, noteVersion, Aborted);
        if (outcome.Succeeded)
        {
            Flash("The version is restored; what the note was is in its history");
            return Redirect($"/notes/{id}/");
        }

        if (outcome.NotFound || !await LoadAsync(id, versionId))
        {
            return NotFound();
        }

        ShowError(outcome.Conflict
            ? "The note was changed since you opened this version. Here is the version again, against the note as it is now."
            : outcome.Title ?? "The version could not be restored.");
        return Page();
    }

    private async Task<bool> LoadAsync(int id, long versionId)
    {
        if (await Api.NoteAsync(id, Aborted) is not { } note || await Api.NoteVersionAsync(id, versionId, Aborted) is not { } version)
        {
            return false;
        }

        (Note, Version) = (note, version);
        return true;
    }
}
