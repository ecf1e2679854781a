using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Notejam.Web.Pages;

/// <summary>404, 500 and 503 in the site's own look; re-executed for any method, so it takes no antiforgery token.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public PageResult OnGet(int? code) => Show(code);

    public PageResult OnPost(int? code) => Show(code);

    private PageResult Show(int? code)
    {
        var status = code ?? (Response.StatusCode >= 400 ? Response.StatusCode : StatusCodes.Status500InternalServerError);
        (Title, Message) = status switch
        {
            StatusCodes.Status404NotFound => ("Page not found", "There is nothing here, or it is not yours."),
            StatusCodes.Status503ServiceUnavailable => ("Notejam is resting", "Your notes can't be reached right now. Nothing is lost: try again in a moment."),
            StatusCodes.Status429TooManyRequests => ("Too many attempts", "That form was sent too often from here. Wait a minute, then try again."),
            StatusCodes.Status413PayloadTooLarge => ("Too large", "That upload is larger than Notejam takes: an import is at most 20 MB."),
            StatusCodes.Status400BadRequest => ("Bad request", "That request could not be understood. Go back and try again."),
            _ => ("Something went wrong", "That did not work, and it is our fault. Try again in a moment."),
        };
        Response.StatusCode = status;
        return Page();
    }
}
