using System.ComponentModel.DataAnnotations;

namespace Notejam.Contracts;

public sealed record RegisterRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(NotejamLimits.PasswordMaxLength)] string Password,
    [property: Required, Compare("Password", ErrorMessage = "The passwords do not match.")] string RepeatPassword);

public sealed record UserResponse(int Id, string Email);

public sealed record ChangePasswordRequest(
    [property: Required] string OldPassword,
    [property: Required, StringLength(NotejamLimits.PasswordMaxLength)] string NewPassword,
    [property: Required, Compare("NewPassword", ErrorMessage = "The passwords do not match.")] string RepeatNewPassword);

/// <summary>The password confirms the deletion; an account without one confirms it with a passkey.</summary>
public sealed record DeleteAccountRequest(string? Password = null, PasskeyAssertionRequest? Passkey = null);

public sealed record ForgotPasswordRequest([property: Required, EmailAddress] string Email);

public sealed record ResetPasswordRequest(
    [property: Required] string Email,
    [property: Required] string Token,
    [property: Required, StringLength(NotejamLimits.PasswordMaxLength)] string NewPassword,
    [property: Required, Compare("NewPassword", ErrorMessage = "The passwords do not match.")] string RepeatNewPassword);

public sealed record SignInRequest([property: Required] string Email, [property: Required] string Password);

public sealed record RefreshRequest([property: Required] string RefreshToken);
