using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

/// <summary>
/// The note page's two sharing buttons post here: "Share by link" makes the note's read-only link (or keeps the one it
/// has), "Stop sharing" revokes it. Both lead back to the note, which shows the link while there is one.
/// </summary>
public sealed class ShareModel(NotejamApiClient api) : NotejamPageModel(api)
{
    /// <summary>Nothing to show: back to the note, if it is mine (the API's answer also checks the session).</summary>
    public async Task<IActionResult> OnGetAsync(int id) =>
        await Api.NoteAsync(id, Aborted) is null ? NotFound() : Redirect($"/notes/{id}/");

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if ((await Api.ShareNoteAsync(id, Aborted)).NotFound)
        {
            return NotFound();
        }

        Flash("Note is shared: anyone with the link below can read it");
        return Redirect($"/notes/{id}/");
    }

    public async Task<IActionResult> OnPostStopAsync(int id)
    {
        if ((await Api.StopSharingNoteAsync(id, Aborted)).NotFound)
        {
            return NotFound();
        }

        Flash("Note is no longer shared: its link opens nothing now");
        return Redirect($"/notes/{id}/");
    }
}
