using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;
using Notejam.Api.Limits;
using Notejam.Api.Mail;
using Notejam.Api.Sessions;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;

namespace Notejam.Api.Users;

/// <summary>What the account endpoints are given besides their request (bound with [AsParameters]).</summary>
internal sealed record AccountServices(
    UserManager<User> Users, SignInManager<User> SignIn, SessionStore Sessions, AccountLimits Limits, OwnerProof Proof, NotejamMetrics Metrics,
    HttpContext Http);

/// <summary>/users: accounts on ASP.NET Core Identity. Signing in and out is <see cref="SessionsApi"/>'s.</summary>
internal static class UsersApi
{
    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Users");

        group.MapPost("/register", Register).WithName(nameof(Register)).WithSummary("Opens an account");
        group.MapPost("/forgot-password", ForgotPassword).WithName(nameof(ForgotPassword))
            .WithSummary("Mails a single-use password reset link, whether or not the account exists")
            .ProducesValidationProblem();
        group.MapPost("/reset-password", ResetPassword).WithName(nameof(ResetPassword))
            .WithSummary("Sets a new password with the token of a reset link; every session of the account ends");

        var me = group.MapGroup("/me").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);
        me.MapGet("/", GetMe).WithName(nameof(GetMe)).WithSummary("Who I am");
        me.MapPost("/password", ChangePassword).WithName(nameof(ChangePassword))
            .WithSummary("Changes my password; every other session ends and this one goes on with the tokens answered")
            .Produces<AccessTokenResponse>();
        me.MapDelete("/", DeleteAccount).WithName(nameof(DeleteAccount))
            .WithSummary("Deletes my account with all my notes and pads; the password confirms it")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResultWithWait>> Register(
        RegisterRequest request, [AsParameters] AccountServices services)
    {
        var (limits, http) = (services.Limits, services.Http);
        // Every attempt counts, taken emails included: the limit is what slows anyone who lists accounts this way.
        if (await limits.CountAsync(AccountLimit.SignUps, http.Connection.RemoteIpAddress, http.RequestAborted) is { } wait)
        {
            return limits.TooMany(AccountLimit.SignUps, wait, "Too many sign-ups from this address. Try again later.");
        }

        var email = request.Email.Trim();
        var user = new User { UserName = email, Email = email };
        // Identity hashes the password before it looks for the email, so a taken one answers no faster.
        var result = await services.Users.CreateAsync(user, request.Password);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(FieldErrors(result, passwordField: "password"));
        }

        services.Metrics.UserRegistered();
        return TypedResults.Created("/users/me", new UserResponse(user.Id, email));
    }

    public static async Task<Results<Accepted, ProblemHttpResultWithWait>> ForgotPassword(
        ForgotPasswordRequest request, IEmailSender<User> mail, IOptions<NotejamLinks> links, [AsParameters] AccountServices services)
    {
        var (limits, http) = (services.Limits, services.Http);
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
        var users = services.Users;
        if (await users.FindByEmailAsync(request.Email.Trim()) is { Email: { } email } user)
        {
            var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
            await mail.SendPasswordResetLinkAsync(user, email, links.Value.ResetPassword(email, token).AbsoluteUri);
            services.Metrics.PasswordResetRequested();
        }

        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResultWithWait>> ResetPassword(
        ResetPasswordRequest request, [AsParameters] AccountServices services)
    {
        var (users, limits, http) = (services.Users, services.Limits, services.Http);
        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
        {
            return limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords);
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

        await services.Sessions.EndAllAsync(user, http.RequestAborted);
        // Proving the mailbox is proof enough to lift a lockout.
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<UserResponse>, UnauthorizedHttpResult>> GetMe(ClaimsPrincipal principal, UserManager<User> users) =>
        await users.GetUserAsync(principal) is { Email: { } email } user
            ? TypedResults.Ok(new UserResponse(user.Id, email))
            : TypedResults.Unauthorized();

    /// <summary>Every session ends with the change; the person who made it continues in a new one, on the tokens answered.</summary>
    public static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> ChangePassword(
        ChangePasswordRequest request, ClaimsPrincipal principal, [AsParameters] AccountServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        var (check, wait) = await services.Proof.CheckAsync(user, request.OldPassword, null, services.Http);
        if (check != ProofCheck.Right)
        {
            return check switch
            {
                ProofCheck.AddressWaits => services.Limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords),
                ProofCheck.AccountLocked => OwnerProof.AccountLocked(),
                _ => WrongPassword("oldPassword", "The current password is wrong."),
            };
        }

        var result = await services.Users.ChangePasswordAsync(user, request.OldPassword, request.NewPassword);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(FieldErrors(result, passwordField: "newPassword"));
        }

        return TypedResults.SignIn(await services.Sessions.ContinueAfterPasswordChangeAsync(user, services.Http.RequestAborted),
            authenticationScheme: IdentityConstants.BearerScheme);
    }

    /// <summary>
    /// The password again, as for changing it (or, for an account without one, a passkey of this account): a session left
    /// open is not enough to delete everything.
    /// </summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> DeleteAccount(
        [FromBody] DeleteAccountRequest request, ClaimsPrincipal principal, [AsParameters] AccountServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        var (check, wait) = await services.Proof.CheckAsync(user, request.Password, request.Passkey, services.Http);
        if (check != ProofCheck.Right)
        {
            return check switch
            {
                ProofCheck.AddressWaits => services.Limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords),
                ProofCheck.AccountLocked => OwnerProof.AccountLocked(),
                ProofCheck.Missing => WrongPassword("password", "The password is required."),
                _ when request.Password is not { Length: > 0 } => WrongPassword("passkey", "This passkey does not confirm this account."),
                _ => WrongPassword("password", "The password is wrong."),
            };
        }

        // One DELETE statement: PostgreSQL's ON DELETE CASCADE takes the user's notes, pads, sessions, claims, logins
        // and tokens with it, all or nothing. Every token of the account is then refused (EndedSessions).
        var deleted = await services.Users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            return Problems.Stale("account");
        }

        services.Metrics.UserDeleted();
        return TypedResults.NoContent();
    }

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
