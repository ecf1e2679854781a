using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Notejam.Api.Limits;
using Notejam.Api.Users;

namespace Notejam.Api.Sessions;

/// <summary>What the session endpoints are given besides their request (bound with [AsParameters]).</summary>
internal sealed record SessionServices(
    SignInManager<User> SignIn, SessionStore Sessions, AccountLimits Limits, NotejamMetrics Metrics, TimeProvider Clock, HttpContext Http);

/// <summary>/users/signin, /users/refresh and /users/me/signout: the sessions Identity's bearer tokens belong to.</summary>
internal static class SessionsApi
{
    private const string SessionEnded = "The session has ended. Sign in again.";

    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Users");

        group.MapPost("/signin", SignIn).WithName(nameof(SignIn))
            .WithSummary("Signs in: an access token and a refresh token of a new session")
            .Produces<AccessTokenResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/refresh", Refresh).WithName(nameof(Refresh))
            .WithSummary("Uses up a refresh token for the session's next access and refresh tokens")
            .Produces<AccessTokenResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGroup("/me").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapPost("/signout", SignOut).WithName(nameof(SignOut))
            .WithSummary("Ends every session of my account: all its tokens are refused from the next request on");
        return group;
    }

    public static async Task<Results<SignInHttpResult, ProblemHttpResult, ProblemHttpResultWithWait>> SignIn(
        SignInRequest request, [AsParameters] SessionServices services)
    {
        var (signIn, limits, metrics, http) = (services.SignIn, services.Limits, services.Metrics, services.Http);
        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
        {
            return limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords);
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
            return TypedResults.SignIn(await services.Sessions.StartAsync(user!, http.RequestAborted), authenticationScheme: IdentityConstants.BearerScheme);
        }

        await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
        return result.IsLockedOut
            ? TypedResults.Problem(title: "Too many failed sign-ins. Try again later or reset your password.",
                statusCode: StatusCodes.Status429TooManyRequests)
            : TypedResults.Problem(title: "Wrong email or password.", statusCode: StatusCodes.Status401Unauthorized);
    }

    public static async Task<Results<SignInHttpResult, ProblemHttpResult>> Refresh(
        RefreshRequest request, IOptionsMonitor<BearerTokenOptions> bearer, [AsParameters] SessionServices services)
    {
        var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || services.Clock.GetUtcNow() >= expires)
        {
            return TypedResults.Problem(title: SessionEnded, statusCode: StatusCodes.Status401Unauthorized);
        }

        var (next, refusal) = await services.Sessions.RefreshAsync(ticket.Principal, services.Http.RequestAborted);
        return refusal switch
        {
            RefreshRefusal.None => TypedResults.SignIn(next!, authenticationScheme: IdentityConstants.BearerScheme),
            // The access token that came with this refresh token stays good until it expires.
            RefreshRefusal.AlreadyRefreshed => TypedResults.Problem(title: "This session was refreshed a moment ago by another request.",
                detail: "Use the tokens that request received.", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Problem(title: SessionEnded, statusCode: StatusCodes.Status401Unauthorized),
        };
    }

    public static async Task<Results<NoContent, UnauthorizedHttpResult>> SignOut(
        ClaimsPrincipal principal, UserManager<User> users, SessionStore sessions, HttpContext http)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        await sessions.EndAllAsync(user, http.RequestAborted);
        return TypedResults.NoContent();
    }
}
