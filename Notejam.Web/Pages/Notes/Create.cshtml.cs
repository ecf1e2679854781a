using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

public sealed class CreateModel(NotejamApiClient api, MyPads myPads) : NoteForm(api, myPads)
{
    public override string SubmitLabel => "Create";

    /// <summary>?pad=ID preselects one of my pads.</summary>
    public async Task OnGetAsync(int? pad)
    {
        await LoadPadsAsync();
        PadId = Pads.Any(p => p.Id == pad) ? pad : null;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadPadsAsync();
        if (PreviewRequested() || !ModelState.IsValid)
        {
            return Page();
        }

        var created = await Api.CreateNoteAsync(Name!, Text!, PadId, Aborted);
        if (created.NotFound)
        {
            return NotFound();
        }

        if (!created.Succeeded)
        {
            ShowErrors(created);
            return Page();
        }

        Flash("Note is successfully created");
        return Redirect($"/notes/{created.Value!.Id}/");
    }
}
