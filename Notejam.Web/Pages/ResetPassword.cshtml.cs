using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>Where the mailed link lands: /reset-password/?email=...&amp;token=...</summary>
[AllowAnonymous]
public sealed class ResetPasswordModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty(SupportsGet = true)]
    [Required(ErrorMessage = "This link is incomplete. Ask for a new one.")]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true)]
    [Required(ErrorMessage = "This link is incomplete. Ask for a new one.")]
    public string? Token { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "New password is required.")]
    [DataType(DataType.Password)]
    public string? NewPassword { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Repeat the new password.")]
    [Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match.")]
    [DataType(DataType.Password)]
    public string? RepeatNewPassword { get; set; }

    public void OnGet()
    {
        ModelState.Clear();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var reset = await Api.ResetPasswordAsync(Email!, Token!, NewPassword!, RepeatNewPassword!, Aborted);
        if (!reset.Succeeded)
        {
            ShowErrors(reset);
            return Page();
        }

        Flash("Your password is changed. Sign in with the new one.");
        return Redirect("/signin/");
    }
}
