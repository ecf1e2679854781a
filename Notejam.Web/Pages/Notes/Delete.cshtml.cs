using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

public sealed class DeleteModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Note Note { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await Api.NoteAsync(id, Aborted) is not { } note)
        {
            return NotFound();
        }

        Note = note;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if ((await Api.DeleteNoteAsync(id, Aborted)).NotFound)
        {
            return NotFound();
        }

        Flash("Note is successfully deleted");
        return Redirect("/");
    }
}
