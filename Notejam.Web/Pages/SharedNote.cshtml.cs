using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>
/// What a share link opens, signed in or not: the note as it is now, asked of the API on every view (never kept, so a
/// revoked link is a 404 at once on every replica). Not for search engines, and the link never leaves in a Referer.
/// </summary>
[AllowAnonymous]
public sealed class SharedNoteModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public SharedNoteResponse Note { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? token)
    {
        var headers = Response.Headers;
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        headers.CacheControl = "no-store";
        // What cannot be a token (Razor Pages binds " " as null) opens nothing, and the API need not be asked.
        if (!ShareTokens.IsWellFormed(token) || await Api.SharedNoteAsync(token, Aborted) is not { } note)
        {
            return NotFound();
        }

        Note = note;
        return Page();
    }
}
