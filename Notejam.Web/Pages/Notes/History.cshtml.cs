using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

/// <summary>A note's earlier versions, newest first, 20 a page.</summary>
public sealed class HistoryModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Note Note { get; private set; } = null!;

    public NoteVersionPage Versions { get; private set; } = null!;

    public Pagination Pages => new(Versions.Page, Versions.PageCount, page => $"/notes/{Note.Id}/history/?page={page}");

    public async Task<IActionResult> OnGetAsync(int id, int page = 1)
    {
        if (await Api.NoteAsync(id, Aborted) is not { } note
            || await Api.NoteVersionsAsync(id, NotesTable.PageFrom(page), NotesTable.PageSize, Aborted) is not { } versions)
        {
            return NotFound();
        }

        (Note, Versions) = (note, versions);
        return Page();
    }
}
