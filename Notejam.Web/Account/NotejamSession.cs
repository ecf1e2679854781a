using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Notejam.Web.Api;

namespace Notejam.Web.Account;

/// <summary>
/// A person's session: a cookie whose encrypted ticket holds the API's access and refresh tokens.
/// The access token is refreshed shortly before it expires; when the API refuses, the session ends.
/// </summary>
public static class NotejamSession
{
    private const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// A random value per sign-in, in the cookie's ticket. What the site keeps for a person (answers, rendered pages) is
    /// keyed by it with the account id: an id alone can come back for someone else (a database reset or restored from a
    /// backup gives the next new account an id an earlier one had, with the same data version).
    /// </summary>
    public const string SignInClaim = "notejam:sign-in";
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(2);

    public static async Task SignInAsync(HttpContext http, NotejamApiClient api, Tokens tokens, CancellationToken ct)
    {
        var account = await api.MeAsync(tokens.AccessToken, ct);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, account.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, account.Email),
                new Claim(SignInClaim, Guid.NewGuid().ToString("N")),
            ],
            Scheme);
        var properties = new AuthenticationProperties { IsPersistent = true };
        Store(properties, tokens, TimeProvider.System.GetUtcNow());
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity), properties);
    }

    /// <summary>Signs out here and ends every API session of this person (their refresh tokens stop working).</summary>
    public static async Task SignOutAsync(HttpContext http, NotejamApiClient api, CancellationToken ct)
    {
        try
        {
            await api.SignOutEverywhereAsync(ct);
        }
        catch (SessionExpiredException)
        {
            // Already over at the API: only the cookie is left to clear.
        }

        await http.SignOutAsync(Scheme);
    }

    /// <summary>
    /// The cookie handler's check on every request: refresh the API token before it runs out. Whether the session still
    /// lives is the API's to say on every call (it refuses an ended session's tokens at once); a refused call ends the
    /// cookie too (SessionExpiredException), so the site notices on the next page.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var now = clock.GetUtcNow();
        if (DateTimeOffset.TryParse(context.Properties.GetTokenValue(ApiTokenHandler.ExpiresAt), CultureInfo.InvariantCulture,
                DateTimeStyles.RoundtripKind, out var expires) && now < expires - RefreshAhead)
        {
            return;
        }

        var api = context.HttpContext.RequestServices.GetRequiredService<NotejamApiClient>();
        var refreshed = context.Properties.GetTokenValue(ApiTokenHandler.RefreshToken) is { Length: > 0 } refreshToken
            ? await api.RefreshAsync(refreshToken, context.HttpContext.RequestAborted)
            : null;
        if (refreshed is { Status: StatusCodes.Status409Conflict } && now < expires)
        {
            // Another request of this browser refreshed a moment ago (its answer carries the new cookie): this one
            // finishes on the access token it has, which is still good.
            return;
        }

        if (refreshed is not { Succeeded: true, Value: { } tokens })
        {
            // Ended (signed out, password changed, a refresh token used twice) or expired: the person signs in again.
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }

        Store(context.Properties, tokens, now);
        context.ShouldRenew = true;
    }

    private static void Store(AuthenticationProperties properties, Tokens tokens, DateTimeOffset now) =>
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = ApiTokenHandler.AccessToken, Value = tokens.AccessToken },
            new AuthenticationToken { Name = ApiTokenHandler.RefreshToken, Value = tokens.RefreshToken },
            new AuthenticationToken
            {
                Name = ApiTokenHandler.ExpiresAt,
                Value = now.AddSeconds(tokens.ExpiresIn).ToString("o", CultureInfo.InvariantCulture),
            },
        ]);
}
