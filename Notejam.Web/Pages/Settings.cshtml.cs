using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

public sealed class SettingsModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Current password is required.")]
    [DataType(DataType.Password)]
    public string? OldPassword { get; set; }

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
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var changed = await Api.ChangePasswordAsync(OldPassword!, NewPassword!, RepeatNewPassword!, Aborted);
        if (changed is not { Succeeded: true, Value: { } tokens })
        {
            ShowErrors(changed);
            return Page();
        }

        // The change ended every other session; this one continues on the tokens the API answered with.
        await NotejamSession.SignInAsync(HttpContext, Api, tokens, Aborted);

        Flash("Password is successfully changed");
        return Redirect("/settings/");
    }
}
