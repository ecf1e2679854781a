using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>404, 500 and 503 in the site's own look; re-executed for any method, so it takes no antiforgery token.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public PageResult OnGet(string? code) => Show(code);

    public PageResult OnPost(string? code) => Show(code);

    private PageResult Show(string? code)
    {
        var status = code is null
            ? (Response.StatusCode >= 400 ? Response.StatusCode : StatusCodes.Status500InternalServerError)
            : int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked is >= 400 and <= 599
                ? asked
                // No error page has that code, just as no page has an unknown URL: 404, and never a status line it names.
                : StatusCodes.Status404NotFound;
        (Title, Message) = status switch
        {
            StatusCodes.Status404NotFound => ("Page not found", "There is nothing here, or it is not yours."),
            StatusCodes.Status503ServiceUnavailable => ("Notejam is resting", "Your notes can't be reached right now. Nothing is lost: try again in a moment."),
            StatusCodes.Status429TooManyRequests => ("Too many attempts", "That form was sent too often from here. Wait a minute, then try again."),
            StatusCodes.Status413PayloadTooLarge => ("Too large", $"That upload is larger than Notejam takes: an import is at most {NotejamLimits.ImportMaxMegabytes} MB."),
            StatusCodes.Status400BadRequest => ("Bad request", "That request could not be understood. Go back and try again."),
            _ => ("Something went wrong", "That did not work, and it is our fault. Try again in a moment."),
        };
        Response.StatusCode = status;
        if (HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error is TooManyRequestsException limited)
        {
            // The wait the API set for this visitor's address, passed on.
            Response.Headers.RetryAfter = ((int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return Page();
    }
}
