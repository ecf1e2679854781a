using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;
using Notejam.Web.Rendering;

namespace Notejam.Web.Pages.Pads;

[KeepRendered]
public sealed class DetailsModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Pad Pad { get; private set; } = null!;

    public NotesTable Table { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id, string? order, [FromQuery(Name = "page")] int pageNumber = 1)
    {
        var sort = NotesTable.OrderFrom(order);
        // One after the other: when nothing changed, the pad's 304 confirms the account's ETag and the kept notes are
        // used without a second call.
        if (await Api.PadAsync(id, Aborted) is not { } found ||
            await Api.NotesAsync(sort, id, NotesTable.PageFrom(pageNumber), NotesTable.PageSize, Aborted) is not { } page1)
        {
            return NotFound();
        }

        Pad = found;
        Table = new NotesTable(page1, sort, $"/pads/{id}/", ShowPad: false);
        return Page();
    }
}
