using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Pads;

public sealed class DetailsModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Pad Pad { get; private set; } = null!;

    public NotesTable Table { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id, string? order, [FromQuery(Name = "page")] int pageNumber = 1)
    {
        var sort = NotesTable.OrderFrom(order);
        var pad = Api.PadAsync(id, Aborted);
        var notes = Api.NotesAsync(sort, id, NotesTable.PageFrom(pageNumber), NotesTable.PageSize, Aborted);
        if (await pad is not { } found || await notes is not { } page1)
        {
            return NotFound();
        }

        Pad = found;
        Table = new NotesTable(page1, sort, $"/pads/{id}/", ShowPad: false);
        return Page();
    }
}
