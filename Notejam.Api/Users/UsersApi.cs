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

        group.MapPost("/register", async Task<Results<Created<UserResponse>, ValidationProblem>> (
            RegisterRequest request, UserManager<User> users, NotejamMetrics metrics) =>
        {
            var email = request.Email.Trim();
            var user = new User { UserName = email, Email = email };
            var result = await users.CreateAsync(user, request.Password);
            if (!result.Succeeded)
            {
                return TypedResults.ValidationProblem(FieldErrors(result, passwordField: "password"));
            }

            metrics.UserRegistered();
            return TypedResults.Created("/users/me", new UserResponse(user.Id, email));
        }).RequireRateLimiting(AccountLimits.ClientPolicy);

        group.MapPost("/signin", async Task<Results<EmptyHttpResult, ProblemHttpResult>> (
            SignInRequest request, SignInManager<User> signIn, NotejamMetrics metrics) =>
        {
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            var result = SignInResult.Failed;
            if (await signIn.UserManager.FindByNameAsync(request.Email.Trim()) is { } user)
            {
                var wasLockedOut = await signIn.UserManager.IsLockedOutAsync(user);
                result = await signIn.PasswordSignInAsync(user, request.Password, isPersistent: false, lockoutOnFailure: true);
                if (result.IsLockedOut && !wasLockedOut)
                {
                    // This failure was the one that reached the limit.
                    metrics.AccountLockedOut();
                }
            }

            metrics.SignInAttempted(result);
            if (result.Succeeded)
            {
                // The bearer handler has written the access and refresh tokens.
                return TypedResults.Empty;
            }

            return result.IsLockedOut
                ? TypedResults.Problem(title: "Too many failed sign-ins. Try again later or reset your password.",
                    statusCode: StatusCodes.Status429TooManyRequests)
                : TypedResults.Problem(title: "Wrong email or password.", statusCode: StatusCodes.Status401Unauthorized);
        }).RequireRateLimiting(AccountLimits.ClientPolicy);

        group.MapPost("/refresh", async Task<Results<SignInHttpResult, ProblemHttpResult>> (
            RefreshRequest request, SignInManager<User> signIn, IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock) =>
        {
            var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
            // A changed security stamp (new password, sign-out) ends every refresh token issued before.
            if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires ||
                await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
            {
                return TypedResults.Problem(title: "The session has ended. Sign in again.", statusCode: StatusCodes.Status401Unauthorized);
            }

            var principal = await signIn.CreateUserPrincipalAsync(user);
            return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
        });

        group.MapPost("/forgot-password", async Task<Results<Accepted, ProblemHttpResult>> (
            ForgotPasswordRequest request, UserManager<User> users, IEmailSender<User> mail, IOptions<NotejamLinks> links,
            ResetMailLimit limit, NotejamMetrics metrics) =>
        {
            // Counted per address asked for, known or not, so the answer says nothing about who has an account.
            if (!limit.TryTake(request.Email.Trim()))
            {
                metrics.RateLimited("reset-mails");
                return TypedResults.Problem(title: "Too many reset mails were asked for this address. Try again later.",
                    statusCode: StatusCodes.Status429TooManyRequests);
            }

            // The same answer whether or not the account exists.
            if (await users.FindByEmailAsync(request.Email.Trim()) is { Email: { } email } user)
            {
                var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
                await mail.SendPasswordResetLinkAsync(user, email, links.Value.ResetPassword(email, token).AbsoluteUri);
                metrics.PasswordResetRequested();
            }

            return TypedResults.Accepted((string?)null);
        }).RequireRateLimiting(AccountLimits.ClientPolicy);

        group.MapPost("/reset-password", async Task<Results<NoContent, ValidationProblem>> (
            ResetPasswordRequest request, UserManager<User> users) =>
        {
            var invalidLink = new Dictionary<string, string[]> { ["token"] = ["This reset link is invalid or has expired."] };
            if (await users.FindByEmailAsync(request.Email.Trim()) is not { } user || DecodeToken(request.Token) is not { } token)
            {
                return TypedResults.ValidationProblem(invalidLink);
            }

            // Resetting changes the security stamp, so the link works once.
            var result = await users.ResetPasswordAsync(user, token, request.NewPassword);
            if (!result.Succeeded)
            {
                return TypedResults.ValidationProblem(result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))
                    ? invalidLink
                    : FieldErrors(result, passwordField: "newPassword"));
            }

            // Proving the mailbox is proof enough to lift a lockout.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            return TypedResults.NoContent();
        }).RequireRateLimiting(AccountLimits.ClientPolicy);

        var me = group.MapGroup("/me").RequireAuthorization();

        me.MapGet("/", async Task<Results<Ok<UserResponse>, UnauthorizedHttpResult>> (ClaimsPrincipal principal, UserManager<User> users) =>
            await users.GetUserAsync(principal) is { Email: { } email } user
                ? TypedResults.Ok(new UserResponse(user.Id, email))
                : TypedResults.Unauthorized());

        me.MapPost("/password", async Task<Results<NoContent, ValidationProblem, UnauthorizedHttpResult>> (
            ChangePasswordRequest request, ClaimsPrincipal principal, UserManager<User> users) =>
        {
            if (await users.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            var result = await users.ChangePasswordAsync(user, request.OldPassword, request.NewPassword);
            return result.Succeeded
                ? TypedResults.NoContent()
                : TypedResults.ValidationProblem(FieldErrors(result, passwordField: "newPassword"));
        });

        // The password again, as for changing it: a session left open is not enough to delete everything.
        me.MapDelete("/", async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, UnauthorizedHttpResult>> (
            [FromBody] DeleteAccountRequest request, ClaimsPrincipal principal, SignInManager<User> signIn, NotejamMetrics metrics) =>
        {
            if (await signIn.UserManager.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            // Wrong passwords count towards the lockout, as at sign-in: a stolen token cannot guess its way further.
            var check = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
            if (check.IsLockedOut)
            {
                return TypedResults.Problem(title: "Too many wrong passwords. Try again later.", statusCode: StatusCodes.Status429TooManyRequests);
            }

            if (!check.Succeeded)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["The password is wrong."] });
            }

            // One DELETE statement: PostgreSQL's ON DELETE CASCADE takes the user's notes, pads, claims, logins and
            // tokens with it, all or nothing. Refresh tokens then find no user; access tokens are refused (DeletedAccounts).
            var deleted = await signIn.UserManager.DeleteAsync(user);
            if (!deleted.Succeeded)
            {
                return Problems.Stale("account");
            }

            metrics.UserDeleted();
            return TypedResults.NoContent();
        })
        .WithSummary("Deletes my account with all my notes and pads; the password confirms it");

        // Ends every session of this user: refresh tokens stop working at once, access tokens when they expire.
        me.MapPost("/signout", async Task<Results<NoContent, UnauthorizedHttpResult>> (ClaimsPrincipal principal, UserManager<User> users) =>
        {
            if (await users.GetUserAsync(principal) is not { } user)
            {
                return TypedResults.Unauthorized();
            }

            await users.UpdateSecurityStampAsync(user);
            return TypedResults.NoContent();
        });

        return group;
    }

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
