using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>
/// Signing out is a POST with an antiforgery token (the header's "Sign out" button), so another site
/// cannot sign a person out; GET /signout/ asks first.
/// </summary>
[AllowAnonymous]
public sealed class SignoutModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect("/signin/");

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            await NotejamSession.SignOutAsync(HttpContext, Api, Aborted);
        }

        Flash("You are signed out");
        return Redirect("/signin/");
    }
}
