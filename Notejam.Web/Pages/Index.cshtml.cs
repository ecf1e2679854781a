using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;
using Notejam.Web.Rendering;

namespace Notejam.Web.Pages;

[KeepRendered]
public sealed class IndexModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public NotesTable Table { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? order, [FromQuery(Name = "page")] int pageNumber = 1)
    {
        var sort = NotesTable.OrderFrom(order);
        var notes = await Api.NotesAsync(sort, padId: null, NotesTable.PageFrom(pageNumber), NotesTable.PageSize, Aborted);
        Table = new NotesTable(notes!, sort, "/", ShowPad: true);
        return Page();
    }
}
