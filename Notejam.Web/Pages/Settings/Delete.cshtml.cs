using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Settings;

public sealed class DeleteModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your password to confirm.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    /// <summary>The passkey form's hidden fields (an account without a password), filled by wwwroot/js/passkeys.js.</summary>
    [BindProperty]
    public string? PasskeyCeremony { get; set; }

    [BindProperty]
    public string? PasskeyCredential { get; set; }

    /// <summary>What goes with the account: "all 3 notes and 1 pad".</summary>
    public string Contents { get; private set; } = "";

    /// <summary>Whether the password confirms; else one of the account's passkeys does.</summary>
    public bool HasPassword { get; private set; } = true;

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (ModelState.IsValid)
        {
            return await DeleteAsync(Password!, null);
        }

        await LoadAsync();
        return Page();
    }

    /// <summary>The options for navigator.credentials.get(): any passkey the browser holds, and the API checks it is this account's.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() => PasskeyOptions(await Api.BeginPasskeySignInAsync(Aborted));

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        ModelState.Clear();
        if (PasskeyForm.Assertion(PasskeyCeremony, PasskeyCredential) is not { } assertion)
        {
            ShowError(PasskeyForm.Unreadable);
            await LoadAsync();
            return Page();
        }

        return await DeleteAsync(null, assertion);
    }

    private async Task<IActionResult> DeleteAsync(string? password, PasskeyAssertionRequest? passkey)
    {
        var deleted = await Api.DeleteAccountAsync(password, passkey, Aborted);
        if (deleted.Succeeded)
        {
            // The API sessions ended with the account; only the cookie is left to clear.
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            Flash("Your account has been deleted");
            return Redirect("/signin/");
        }

        if (passkey is not null)
        {
            ShowError(deleted.Errors.Values.SelectMany(m => m).FirstOrDefault() ?? deleted.Title ?? "The passkey did not confirm it.");
        }
        else
        {
            ShowErrors(deleted);
        }

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        HasPassword = (await Api.PasskeysAsync(Aborted)).HasPassword;
        var pads = (await Api.PadsAsync(Aborted)).Count;
        var notes = (await Api.NotesAsync("-updated_at", null, 1, 1, Aborted))?.TotalCount ?? 0;
        Contents = string.Create(CultureInfo.InvariantCulture,
            $"all {notes} note{(notes == 1 ? "" : "s")} and {pads} pad{(pads == 1 ? "" : "s")}");
    }
}
