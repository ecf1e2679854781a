using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

public sealed class EditModel(NotejamApiClient api, MyPads myPads) : NoteForm(api, myPads)
{
    [FromRoute]
    public int Id { get; set; }

    /// <summary>The version the person started from; the API refuses a save over someone else's change.</summary>
    [BindProperty]
    public uint Version { get; set; }

    public override string SubmitLabel => "Save";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await Api.NoteAsync(Id, Aborted) is not { } note)
        {
            return NotFound();
        }

        (Name, Text, PadId, Version) = (note.Name, note.Text, note.Pad?.Id, note.Version);
        await LoadPadsAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadPadsAsync();
        if (PreviewRequested() || !ModelState.IsValid)
        {
            return await Api.NoteAsync(Id, Aborted) is null ? NotFound() : Page();
        }

        var saved = await Api.UpdateNoteAsync(Id, Name!, Text!, PadId, Version, Aborted);
        if (saved.NotFound)
        {
            return NotFound();
        }

        if (saved.Conflict)
        {
            ShowError("This note was changed since you opened it. Your text is still below: copy it, then reload the page to see the current version.");
            return Page();
        }

        if (!saved.Succeeded)
        {
            ShowErrors(saved);
            return Page();
        }

        Flash("Note is successfully updated");
        return Redirect($"/notes/{Id}/");
    }
}
