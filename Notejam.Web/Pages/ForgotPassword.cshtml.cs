using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

[AllowAnonymous]
public sealed class ForgotPasswordModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Email is required.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        await Api.ForgotPasswordAsync(Email!, Aborted);
        // The same answer whether or not the account exists.
        Flash("If an account exists for that email, a link to reset its password is on its way.");
        return Redirect("/signin/");
    }
}
