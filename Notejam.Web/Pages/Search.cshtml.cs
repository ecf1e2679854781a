using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

public sealed class SearchModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public const int MaxQueryLength = 200;

    /// <summary>The words searched for, which the layout's search box shows again.</summary>
    public const string SearchQueryKey = "search-query";

    /// <summary>The words searched for; null when none were typed.</summary>
    public string? Query { get; private set; }

    public NoteSearchPage? Results { get; private set; }

    public Pagination? Pages { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? q, [FromQuery(Name = "page")] int pageNumber = 1)
    {
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        ViewData[SearchQueryKey] = Query;
        if (Query is null)
        {
            return Page();
        }

        if (Query.Length > MaxQueryLength)
        {
            ShowError($"Search for at most {MaxQueryLength} characters.");
            return Page();
        }

        Results = await Api.SearchNotesAsync(Query, NotesTable.PageFrom(pageNumber), NotesTable.PageSize, Aborted);
        Pages = new Pagination(Results.Page, Results.PageCount,
            page => $"/search/?q={Uri.EscapeDataString(Query)}{(page > 1 ? $"&page={page}" : "")}");
        return Page();
    }
}
