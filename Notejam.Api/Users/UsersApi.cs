using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;

namespace Notejam.Api.Users;

public sealed record RegisterRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(UsersApi.PasswordMaxLength)] string Password,
    [property: Required, Compare("Password", ErrorMessage = "The passwords do not match.")] string RepeatPassword);

public sealed record SignInRequest([property: Required] string Email, [property: Required] string Password);

public sealed record RefreshRequest([property: Required] string RefreshToken);

public sealed record UserResponse(int Id, string Email);

public sealed record ChangePasswordRequest(
    [property: Required] string OldPassword,
    [property: Required, StringLength(UsersApi.PasswordMaxLength)] string NewPassword,
    [property: Required, Compare("NewPassword", ErrorMessage = "The passwords do not match.")] string RepeatNewPassword);

public sealed record DeleteAccountRequest([property: Required] string Password);

public sealed record ForgotPasswordRequest([property: Required, EmailAddress] string Email);

public sealed record ResetPasswordRequest(
    [property: Required] string Email,
    [property: Required] string Token,
    [property: Required, StringLength(UsersApi.PasswordMaxLength)] string NewPassword,
    [property: Required, Compare("NewPassword", ErrorMessage = "The passwords do not match.")] string RepeatNewPassword);

/// <summary>Where the reset link in a forgot-password mail points.</summary>
public sealed class NotejamLinks
{
    public Uri WebUrl { get; set; } = new("http://localhost:5000/");

    public Uri ResetPassword(string email, string token) => new(WebUrl,
        QueryHelpers.AddQueryString("reset-password/", new Dictionary<string, string?> { ["email"] = email, ["token"] = token }));
}

/// <summary>/users: accounts on ASP.NET Core Identity, signed in with Identity's bearer tokens.</summary>
internal static class UsersApi
{
    public const int PasswordMaxLength = 128;

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Users");

        group.MapPost("/register", async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResultWithWait>> (
            RegisterRequest request, UserManager<User> users, AccountLimits limits, HttpContext http, NotejamMetrics metrics) =>
        {
            // Every attempt counts, taken emails included: the limit is what slows anyone who lists accounts this way.
            if (await limits.CountAsync(AccountLimit.SignUps, http.Connection.RemoteIpAddress, http.RequestAborted) is { } wait)
            {
                return limits.TooMany(AccountLimit.SignUps, wait, "Too many sign-ups from this address. Try again later.");
            }

            var email = request.Email.Trim();
            var user = new User { UserName = email, Email = email };
            // Identity hashes the password before it looks for the email, so a taken one answers no faster.
            var result = await users.CreateAsync(user, request.Password);
            if (!result.Succeeded)
            {
                return TypedResults.ValidationProblem(FieldErrors(result, passwordField: "password"));
            }

            metrics.UserRegistered();
            return TypedResults.Created("/users/me", new UserResponse(user.Id, email));
        });

        group.MapPost("/signin", async Task<Results<SignInHttpResult, ProblemHttpResult, ProblemHttpResultWithWait>> (
            SignInRequest request, SignInManager<User> signIn, Sessions sessions, AccountLimits limits, HttpContext http,
            NotejamMetrics metrics) =>
        {
            var address = http.Connection.RemoteIpAddress;
            if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
            {
                return limits.TooMany(AccountLimit.FailedPasswords, wait, TooManyFailures);
            }

            var result = SignInResult.Failed;
            var user = await signIn.UserManager.FindByNameAsync(request.Email.Trim());
            if (user is null || await signIn.UserManager.IsLockedOutAsync(user))
            {
                // As long as checking a real password takes, so the answer's time does not tell who has an account.
                UnknownPassword.Check(signIn.UserManager.PasswordHasher, request.Password);
                result = user is null ? SignInResult.Failed : SignInResult.LockedOut;
            }
            else
            {
                result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
                if (result.IsLockedOut)
                {
                    // This failure was the one that reached the limit.
                    metrics.AccountLockedOut();
                }
            }

            metrics.SignInAttempted(result);
            if (result.Succeeded)
            {
                return TypedResults.SignIn(await sessions.StartAsync(user!, http.RequestAborted), authenticationScheme: IdentityConstants.BearerScheme);
            }

            await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
            return result.IsLockedOut
                ? TypedResults.Problem(title: "Too many failed sign-ins. Try again later or reset your password.",
                    statusCode: StatusCodes.Status429TooManyRequests)
                : TypedResults.Problem(title: "Wrong email or password.", statusCode: StatusCodes.Status401Unauthorized);
        });

        group.MapPost("/refresh", async Task<Results<SignInHttpResult, ProblemHttpResult>> (
            RefreshRequest request, Sessions sessions, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock, HttpContext http) =>
        {
            var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
            if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires)
            {
                return TypedResults.Problem(title: SessionEnded, statusCode: StatusCodes.Status401Unauthorized);
            }

            var (next, refusal) = await sessions.RefreshAsync(ticket.Principal, http.RequestAborted);
            return refusal switch
            {
                RefreshRefusal.None => TypedResults.SignIn(next!, authenticationScheme: IdentityConstants.BearerScheme),
                // The access token that came with this refresh token stays good until it expires.
                RefreshRefusal.AlreadyRefreshed => TypedResults.Problem(title: "This session was refreshed a moment ago by another request.",
                    detail: "Use the tokens that request received.", statusCode: StatusCodes.Status409Conflict),
                _ => TypedResults.Problem(title: SessionEnded, statusCode: StatusCodes.Status401Unauthorized),
            };
        });

        group.MapPost("/forgot-password", async Task<Results<Accepted, ProblemHttpResultWithWait>> (
            ForgotPasswordRequest request, UserManager<User> users, IEmailSender<User> mail, IOptions<NotejamLinks> links,
            AccountLimits limits, HttpContext http, NotejamMetrics metrics) =>
        {
            if (await limits.CountAsync(AccountLimit.ResetRequests, http.Connection.RemoteIpAddress, http.RequestAborted) is { } wait)
            {
                return limits.TooMany(AccountLimit.ResetRequests, wait, "Too many reset requests from this address. Try again later.");
            }

            // Counted per address asked for, known or not, so the answer says nothing about who has an account.
            if (await limits.CountMailAsync(request.Email, http.RequestAborted) is { } mailboxWait)
            {
                return limits.TooMany(AccountLimit.ResetMails, mailboxWait, "Too many reset mails were asked for this address. Try again later.");
            }

            // The same answer, in the same time, whether or not the account exists: the mail leaves later from the outbox.
            if (await users.FindByEmailAsync(request.Email.Trim()) is { Email: { } email } user)
            {
                var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
                await mail.SendPasswordResetLinkAsync(user, email, links.Value.ResetPassword(email, token).AbsoluteUri);
                metrics.PasswordResetRequested();
            }

            return TypedResults.Accepted((string?)null);
        });

        group.MapPost("/reset-password", async Task<Results<NoContent, ValidationProblem, ProblemHttpResultWithWait>> (
            ResetPasswordRequest request, UserManager<User> users, Sessions sessions, AccountLimits limits, HttpContext http) =>
        {
            var address = http.Connection.RemoteIpAddress;
            if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
            {
                return limits.TooMany(AccountLimit.FailedPasswords, wait, TooManyFailures);
            }

            var invalidLink = new Dictionary<string, string[]> { ["token"] = ["This reset link is invalid or has expired."] };
            if (await users.FindByEmailAsync(request.Email.Trim()) is not { } user || DecodeToken(request.Token) is not { } token)
            {
                await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
                return TypedResults.ValidationProblem(invalidLink);
            }

            // Resetting changes the security stamp, so the link works once and every session of the account ends.
            var result = await users.ResetPasswordAsync(user, token, request.NewPassword);
            if (!result.Succeeded)
            {
                var badLink = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken));
                if (badLink)
                {
                    await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
                }

                return TypedResults.ValidationProblem(badLink ? invalidLink : FieldErrors(result, passwordField: "newPassword"));
            }

            await sessions.EndAllAsync(user, http.RequestAborted);
            // Proving the mailbox is proof enough to lift a lockout.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            return TypedResults.NoContent();
        });

        var me = group.MapGroup("/me").RequireAuthorization();

        me.MapGet("/", async Task<Results<Ok<UserResponse>, UnauthorizedHttpResult>> (ClaimsPrincipal principal, UserManager<User> users) =>
            await users.GetUserAsync(principal) is { Email: { } email } user
                ? TypedResults.Ok(new UserResponse(user.Id, email))
                : TypedResults.Unauthorized());

        // Every session ends with the change; the person who made it continues in a new one, on the tokens answered.
        me.MapPost("/password", async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> (
            ChangePasswordRequest request, ClaimsPrincipal principal, SignInManager<User> signIn, Sessions sessions,
            AccountLimits limits, HttpContext http) =>
        {
            if (await signIn.UserManager.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            var (check, wait) = await CheckPasswordAsync(signIn, limits, http, user, request.OldPassword);
            if (check != PasswordCheck.Right)
            {
                return check switch
                {
                    PasswordCheck.AddressWaits => limits.TooMany(AccountLimit.FailedPasswords, wait, TooManyFailures),
                    PasswordCheck.AccountLocked => AccountLocked(),
                    _ => WrongPassword("oldPassword", "The current password is wrong."),
                };
            }

            var result = await signIn.UserManager.ChangePasswordAsync(user, request.OldPassword, request.NewPassword);
            if (!result.Succeeded)
            {
                return TypedResults.ValidationProblem(FieldErrors(result, passwordField: "newPassword"));
            }

            return TypedResults.SignIn(await sessions.ContinueAfterPasswordChangeAsync(user, http.RequestAborted),
                authenticationScheme: IdentityConstants.BearerScheme);
        });

        // The password again, as for changing it: a session left open is not enough to delete everything.
        me.MapDelete("/", async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> (
            [FromBody] DeleteAccountRequest request, ClaimsPrincipal principal, SignInManager<User> signIn, AccountLimits limits,
            HttpContext http, NotejamMetrics metrics) =>
        {
            if (await signIn.UserManager.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            var (check, wait) = await CheckPasswordAsync(signIn, limits, http, user, request.Password);
            if (check != PasswordCheck.Right)
            {
                return check switch
                {
                    PasswordCheck.AddressWaits => limits.TooMany(AccountLimit.FailedPasswords, wait, TooManyFailures),
                    PasswordCheck.AccountLocked => AccountLocked(),
                    _ => WrongPassword("password", "The password is wrong."),
                };
            }

            // One DELETE statement: PostgreSQL's ON DELETE CASCADE takes the user's notes, pads, sessions, claims, logins
            // and tokens with it, all or nothing. Every token of the account is then refused (EndedSessions).
            var deleted = await signIn.UserManager.DeleteAsync(user);
            if (!deleted.Succeeded)
            {
                return Problems.Stale("account");
            }

            metrics.UserDeleted();
            return TypedResults.NoContent();
        })
        .WithSummary("Deletes my account with all my notes and pads; the password confirms it");

        // Ends every session of this user: every access and refresh token is refused from the next request on.
        me.MapPost("/signout", async Task<Results<NoContent, UnauthorizedHttpResult>> (
            ClaimsPrincipal principal, UserManager<User> users, Sessions sessions, HttpContext http) =>
        {
            if (await users.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            await sessions.EndAllAsync(user, http.RequestAborted);
            return TypedResults.NoContent();
        });

        return group;
    }

    private const string TooManyFailures = "Too many wrong passwords from this address. Wait a while, then try again.";
    private const string SessionEnded = "The session has ended. Sign in again.";

    private enum PasswordCheck
    {
        Right,
        Wrong,
        AccountLocked,
        AddressWaits,
    }

    /// <summary>
    /// The password check of a signed-in person (change password, delete account): wrong answers count towards the
    /// account's lockout and the address's limit exactly as wrong sign-ins do, so a stolen token cannot guess the password.
    /// </summary>
    private static async Task<(PasswordCheck Check, TimeSpan Wait)> CheckPasswordAsync(
        SignInManager<User> signIn, AccountLimits limits, HttpContext http, User user, string password)
    {
        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
        {
            return (PasswordCheck.AddressWaits, wait);
        }

        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return (PasswordCheck.Right, TimeSpan.Zero);
        }

        await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
        return (result.IsLockedOut ? PasswordCheck.AccountLocked : PasswordCheck.Wrong, TimeSpan.Zero);
    }

    private static ProblemHttpResult AccountLocked() =>
        TypedResults.Problem(title: "Too many wrong passwords. Try again later.", statusCode: StatusCodes.Status429TooManyRequests);

    private static ValidationProblem WrongPassword(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static string? DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Identity's errors, keyed by the request field a person would correct.</summary>
    private static Dictionary<string, string[]> FieldErrors(IdentityResult result, string passwordField) =>
        result.Errors
            .GroupBy(e => e.Code switch
            {
                nameof(IdentityErrorDescriber.PasswordMismatch) => "oldPassword",
                _ when e.Code.StartsWith("Password", StringComparison.Ordinal) => passwordField,
                _ => "email",
            })
            .ToDictionary(g => g.Key, g => g.Select(e => e.Code switch
            {
                nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail) =>
                    "An account with this email already exists.",
                nameof(IdentityErrorDescriber.PasswordMismatch) => "The current password is wrong.",
                _ => e.Description,
            }).Distinct().ToArray());
}
