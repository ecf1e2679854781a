using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Settings;

public sealed class DeleteModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your password to confirm.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    /// <summary>What goes with the account: "all 3 notes and 1 pad".</summary>
    public string Contents { get; private set; } = "";

    public async Task OnGetAsync() => await CountAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (ModelState.IsValid)
        {
            var deleted = await Api.DeleteAccountAsync(Password!, Aborted);
            if (deleted.Succeeded)
            {
                // The API sessions ended with the account; only the cookie is left to clear.
                await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                Flash("Your account has been deleted");
                return Redirect("/signin/");
            }

            ShowErrors(deleted);
        }

        await CountAsync();
        return Page();
    }

    private async Task CountAsync()
    {
        var pads = (await Api.PadsAsync(Aborted)).Count;
        var notes = (await Api.NotesAsync("-updated_at", null, 1, 1, Aborted))?.TotalCount ?? 0;
        Contents = string.Create(CultureInfo.InvariantCulture,
            $"all {notes} note{(notes == 1 ? "" : "s")} and {pads} pad{(pads == 1 ? "" : "s")}");
    }
}
