using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;
using Notejam.Web.Rendering;

namespace Notejam.Web.Pages.Notes;

[KeepRendered]
public sealed class DetailsModel(NotejamApiClient api) : NotejamPageModel(api)
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
}
