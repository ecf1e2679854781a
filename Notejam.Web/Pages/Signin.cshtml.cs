using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

[AllowAnonymous]
public sealed class SigninModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Email is required.")]
    public string? Email { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Password is required.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? RedirectToLocal(ReturnUrl) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var signedIn = await Api.SignInAsync(Email!, Password!, Aborted);
        if (signedIn is not { Succeeded: true, Value: { } tokens })
        {
            ShowError(signedIn.Status == StatusCodes.Status429TooManyRequests
                ? "Too many failed sign-ins: this account is locked for a few minutes. You can also reset the password."
                : "Wrong email or password");
            return Page();
        }

        await NotejamSession.SignInAsync(HttpContext, Api, tokens, Aborted);
        return RedirectToLocal(ReturnUrl);
    }
}
