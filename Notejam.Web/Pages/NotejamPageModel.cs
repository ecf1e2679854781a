using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>What every Notejam page does: talk to the API, flash a message, show the API's field errors.</summary>
public abstract class NotejamPageModel(NotejamApiClient api) : PageModel
{
    public const string FlashKey = "flash";
    public const string FlashErrorKey = "flash-error";

    protected NotejamApiClient Api { get; } = api;

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>A green message shown once, on the next page.</summary>
    protected void Flash(string message) => TempData[FlashKey] = message;

    /// <summary>A red message shown once, on the next page.</summary>
    protected void FlashError(string message) => TempData[FlashErrorKey] = message;

    /// <summary>A red message on the page being shown now.</summary>
    protected void ShowError(string message) => ViewData[FlashErrorKey] = message;

    /// <summary>The API's validation errors beside the fields they name (the API's "name" is the form's "Name").</summary>
    protected void ShowErrors<T>(ApiOutcome<T> outcome)
    {
        foreach (var (field, messages) in outcome.Errors)
        {
            var key = field.Length == 0 ? "" : char.ToUpperInvariant(field[0]) + field[1..];
            foreach (var message in messages)
            {
                ModelState.AddModelError(key, message);
            }
        }

        if (outcome.Errors.Count == 0 && outcome.Title is { } title)
        {
            ShowError(title);
        }
    }

    /// <summary>A ceremony the API began, for wwwroot/js/passkeys.js: its id and the options for navigator.credentials.</summary>
    protected IActionResult PasskeyOptions(ApiOutcome<PasskeyOptionsResponse> begun) => begun is { Succeeded: true, Value: { } options }
        ? new JsonResult(options) { StatusCode = StatusCodes.Status200OK }
        : new JsonResult(new { title = begun.Title ?? "The passkey prompt could not begin." }) { StatusCode = begun.Status };

    /// <summary>
    /// A verb the page has no handler for (a POST to a page without a form) is the 404 page: Razor Pages would
    /// otherwise render the page without running any handler, with nothing loaded.
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.HandlerMethod is null)
        {
            context.Result = NotFound();
        }
    }

    /// <summary>Only ever back to this site, percent-encoded so that any character survives the Location header.</summary>
    protected IActionResult RedirectToLocal(string? returnUrl) =>
        ReturnUrls.ToLocation(returnUrl) is { } location && Url.IsLocalUrl(location) ? LocalRedirect(location) : Redirect("/");
}
