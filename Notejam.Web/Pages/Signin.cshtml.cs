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

    /// <summary>The passkey form's hidden fields, filled by wwwroot/js/passkeys.js.</summary>
    [BindProperty]
    public string? PasskeyCeremony { get; set; }

    [BindProperty]
    public string? PasskeyCredential { get; set; }

    /// <summary>A passkey was just refused: the browser's autofill is not asked again by itself (it would answer the same).</summary>
    public bool PasskeyRefused { get; private set; }

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

    /// <summary>The options for navigator.credentials.get(), as JSON for wwwroot/js/passkeys.js: the API begins the ceremony.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() => PasskeyOptions(await Api.BeginPasskeySignInAsync(Aborted));

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        // The password form's fields are not this form's.
        ModelState.Clear();
        PasskeyRefused = true;
        if (PasskeyForm.Assertion(PasskeyCeremony, PasskeyCredential) is not { } assertion)
        {
            ShowError(PasskeyForm.Unreadable);
            return Page();
        }

        var signedIn = await Api.SignInWithPasskeyAsync(assertion, Aborted);
        if (signedIn is not { Succeeded: true, Value: { } tokens })
        {
            ShowError(signedIn.Status == StatusCodes.Status429TooManyRequests
                ? "Too many failed sign-ins: this account is locked for a few minutes. You can also reset the password."
                : "This passkey was not accepted. Try again, or sign in with your email and password.");
            return Page();
        }

        await NotejamSession.SignInAsync(HttpContext, Api, tokens, Aborted);
        return RedirectToLocal(ReturnUrl);
    }
}
