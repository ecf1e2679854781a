using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Account;
using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>
/// /settings/: the password (change it, or remove it while a passkey stays), the passkeys (add, rename, remove), export,
/// import and account deletion. Each form posts to its own handler; the change-password fields are validated only by theirs.
/// </summary>
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

    /// <summary>The new passkey's name (add), or a passkey's new name (rename).</summary>
    [BindProperty]
    public string? PasskeyName { get; set; }

    /// <summary>The passkey a rename or removal is for (its credential id).</summary>
    [BindProperty]
    public string? PasskeyId { get; set; }

    [BindProperty]
    public string? PasskeyCeremony { get; set; }

    [BindProperty]
    public string? PasskeyCredential { get; set; }

    /// <summary>The password that confirms adding a passkey.</summary>
    [BindProperty]
    [DataType(DataType.Password)]
    public string? PasskeyPassword { get; set; }

    /// <summary>An account without a password confirms adding a passkey with one it has: that assertion's ceremony and answer.</summary>
    [BindProperty]
    public string? ConfirmCeremony { get; set; }

    [BindProperty]
    public string? ConfirmCredential { get; set; }

    /// <summary>The password that confirms its own removal.</summary>
    [BindProperty]
    [DataType(DataType.Password)]
    public string? CurrentPassword { get; set; }

    public PasskeysResponse Passkeys { get; private set; } = new([], HasPassword: true);

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return await PageAsync();
        }

        var changed = await Api.ChangePasswordAsync(OldPassword!, NewPassword!, RepeatNewPassword!, Aborted);
        if (changed is not { Succeeded: true, Value: { } tokens })
        {
            ShowErrors(changed);
            return await PageAsync();
        }

        // The change ended every other session; this one continues on the tokens the API answered with.
        await NotejamSession.SignInAsync(HttpContext, Api, tokens, Aborted);

        Flash("Password is successfully changed");
        return Redirect("/settings/");
    }

    /// <summary>The options for navigator.credentials.create(), as JSON for wwwroot/js/passkeys.js.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() => PasskeyOptions(await Api.BeginAddingPasskeyAsync(Aborted));

    /// <summary>For an account without a password: the options of the assertion that confirms adding another passkey.</summary>
    public async Task<IActionResult> OnPostConfirmOptionsAsync() => PasskeyOptions(await Api.BeginPasskeySignInAsync(Aborted));

    public async Task<IActionResult> OnPostAddPasskeyAsync()
    {
        ModelState.Clear();
        var name = PasskeyName?.Trim();
        if (name?.Length > PasskeyLimits.NameMaxLength)
        {
            return await PasskeyErrorAsync($"A passkey's name is at most {PasskeyLimits.NameMaxLength} characters.");
        }

        // The new credential comes as an assertion's would: a ceremony and the browser's JSON.
        if (PasskeyForm.Assertion(PasskeyCeremony, PasskeyCredential) is not { } answer)
        {
            return await PasskeyErrorAsync(PasskeyForm.Unreadable);
        }

        var confirmation = PasskeyForm.Assertion(ConfirmCeremony, ConfirmCredential);
        var added = await Api.AddPasskeyAsync(
            new AddPasskeyRequest(answer.Ceremony, answer.Credential, name, PasskeyPassword, confirmation), Aborted);
        if (added is not { Succeeded: true, Value: { } passkey })
        {
            return await PasskeyErrorAsync(added.Errors.Values.SelectMany(m => m).FirstOrDefault() ?? added.Title ?? "The passkey was not added.");
        }

        Flash($"Passkey “{passkey.Name}” is added: you can sign in with it");
        return Redirect("/settings/#passkeys");
    }

    public async Task<IActionResult> OnPostRenamePasskeyAsync()
    {
        ModelState.Clear();
        var name = PasskeyName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > PasskeyLimits.NameMaxLength)
        {
            return await PasskeyErrorAsync($"A passkey's name is 1 to {PasskeyLimits.NameMaxLength} characters.");
        }

        var renamed = await Api.RenamePasskeyAsync(PasskeyId ?? "", name, Aborted);
        if (!renamed.Succeeded)
        {
            return await PasskeyErrorAsync(renamed.NotFound ? "No such passkey." : renamed.Title ?? "The passkey was not renamed.");
        }

        Flash("Passkey is renamed");
        return Redirect("/settings/#passkeys");
    }

    public async Task<IActionResult> OnPostRemovePasskeyAsync()
    {
        ModelState.Clear();
        var removed = await Api.RemovePasskeyAsync(PasskeyId ?? "", Aborted);
        if (!removed.Succeeded)
        {
            return await PasskeyErrorAsync(removed.NotFound ? "No such passkey."
                : removed.Conflict ? "This passkey is the only way into your account: set a password or add another passkey first."
                : removed.Title ?? "The passkey was not removed.");
        }

        Flash("Passkey is removed: it no longer signs in to this account");
        return Redirect("/settings/#passkeys");
    }

    public async Task<IActionResult> OnPostRemovePasswordAsync()
    {
        ModelState.Clear();
        if (string.IsNullOrEmpty(CurrentPassword))
        {
            ModelState.AddModelError(nameof(CurrentPassword), "Enter your password to confirm.");
            return await PageAsync();
        }

        var removed = await Api.RemovePasswordAsync(CurrentPassword, Aborted);
        if (removed is not { Succeeded: true, Value: { } tokens })
        {
            if (removed.Errors.TryGetValue("password", out var wrong))
            {
                ModelState.AddModelError(nameof(CurrentPassword), wrong[0]);
            }
            else
            {
                ShowError(removed.Conflict ? "Add a passkey before you remove your password." : removed.Title ?? "The password was not removed.");
            }

            return await PageAsync();
        }

        // As after a change: every other session ended, this one goes on with the tokens answered.
        await NotejamSession.SignInAsync(HttpContext, Api, tokens, Aborted);
        Flash("Password is removed: sign in with your passkey from now on");
        return Redirect("/settings/");
    }

    private async Task<IActionResult> PasskeyErrorAsync(string message)
    {
        ShowError(message);
        return await PageAsync();
    }

    private async Task<IActionResult> PageAsync()
    {
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync() => Passkeys = await Api.PasskeysAsync(Aborted);
}
