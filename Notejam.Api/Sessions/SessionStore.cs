using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;
using Notejam.Api.Users;

namespace Notejam.Api.Sessions;

/// <summary>
/// Sessions that end when they should. Each token carries its session's id and generation; every signed-in request
/// checks, in one primary-key lookup, that the session still exists. Whatever ends sessions deletes their rows (sign-out,
/// a password change or reset, a reused refresh token; a deleted account takes its rows with it), so its tokens are
/// refused on the next request, on every replica. Refreshes also check Identity's security stamp. Refresh tokens are single-use: a refresh moves the session to the next generation, and a used one
/// presented again ends the whole session (someone holds a copy), unless it is a near-simultaneous duplicate.
/// </summary>
internal sealed class SessionStore(
    NotejamDb db, SignInManager<User> signIn, TimeProvider clock, IOptionsMonitor<BearerTokenOptions> bearer, IOptions<SessionLimits> options)
{
    public const string IdClaim = "notejam:sid";
    public const string GenerationClaim = "notejam:gen";

    // The session check every signed-in request makes, and in the same round trip the account's data version (0 before
    // its first write) that the conditional reads compare with If-None-Match: null when the session has ended.
    private static readonly Func<NotejamDb, Guid, int, CancellationToken, Task<long?>> LiveDataVersion =
        EF.CompileAsyncQuery((NotejamDb db, Guid session, int user, CancellationToken ct) =>
            db.Sessions.Where(s => s.Id == session && s.UserId == user)
                .Select(s => (long?)(db.DataVersions.Where(v => v.UserId == user).Select(v => (long?)v.Version).FirstOrDefault() ?? 0))
                .FirstOrDefault());

    /// <summary>Starts a session for a person who has just proved who they are.</summary>
    public async Task<ClaimsPrincipal> StartAsync(User user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Sessions whose last refresh token has expired can never continue: cleared here, per account, at no extra cost.
        var expired = now - bearer.Get(IdentityConstants.BearerScheme).RefreshTokenExpiration;
        await db.Sessions.Where(s => s.UserId == user.Id && s.RotatedAt < expired).ExecuteDeleteAsync(ct);
        var session = new Session { Id = Guid.NewGuid(), UserId = user.Id, Generation = 1, CreatedAt = now, RotatedAt = now };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(ct);
        return await PrincipalAsync(user, session.Id, session.Generation);
    }

    /// <summary>
    /// Uses up the refresh token of <paramref name="principal"/>: the session's next principal, or why there is none.
    /// </summary>
    public async Task<(ClaimsPrincipal? Next, RefreshRefusal Refusal)> RefreshAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (!TryRead(principal, out var sessionId, out var userId, out var generation))
        {
            return (null, RefreshRefusal.Ended);
        }

        // A changed security stamp (new password, sign-out everywhere) ends every refresh token issued before.
        if (await signIn.ValidateSecurityStampAsync(principal) is not { } user)
        {
            return (null, RefreshRefusal.Ended);
        }

        var now = clock.GetUtcNow();
        var rotated = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == userId && s.Generation == generation)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Generation, generation + 1).SetProperty(x => x.RotatedAt, now), ct);
        if (rotated == 1)
        {
            return (await PrincipalAsync(user, sessionId, generation + 1), RefreshRefusal.None);
        }

        var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId, ct);
        if (session is null)
        {
            return (null, RefreshRefusal.Ended);
        }

        if (session.Generation == generation + 1 && now - session.RotatedAt < options.Value.RefreshReuseGrace)
        {
            return (null, RefreshRefusal.AlreadyRefreshed);
        }

        // An old refresh token came back: whoever holds the session's tokens now, one of them is not its owner.
        await db.Sessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(ct);
        return (null, RefreshRefusal.Reused);
    }

    /// <summary>
    /// After a password change: every session ends, the one that changed it included, and that person continues in a new
    /// one, so no token issued before the change opens anything.
    /// </summary>
    public async Task<ClaimsPrincipal> ContinueAfterPasswordChangeAsync(User user, CancellationToken ct)
    {
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        return await StartAsync(user, ct);
    }

    /// <summary>Ends every session of the account: its tokens are refused from the next request on.</summary>
    public async Task EndAllAsync(User user, CancellationToken ct)
    {
        await signIn.UserManager.UpdateSecurityStampAsync(user);
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Whether a signed-in request's token still belongs to a live session of an account that still exists: then the
    /// account's data version, else null.
    /// </summary>
    public static Task<long?> LiveDataVersionAsync(NotejamDb db, ClaimsPrincipal principal, CancellationToken ct) =>
        TryRead(principal, out var session, out var user, out _) ? LiveDataVersion(db, session, user, ct) : Task.FromResult<long?>(null);

    private async Task<ClaimsPrincipal> PrincipalAsync(User user, Guid sessionId, int generation)
    {
        // Identity's own principal (id, email, the security stamp refreshes check), and the session it belongs to.
        var principal = await signIn.CreateUserPrincipalAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaims(
        [
            new Claim(IdClaim, sessionId.ToString("N")),
            new Claim(GenerationClaim, generation.ToString(CultureInfo.InvariantCulture)),
        ]);
        return principal;
    }

    private static bool TryRead(ClaimsPrincipal principal, out Guid session, out int user, out int generation)
    {
        user = generation = 0;
        return Guid.TryParseExact(principal.FindFirstValue(IdClaim), "N", out session) &&
            int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out user) &&
            int.TryParse(principal.FindFirstValue(GenerationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out generation);
    }
}

/// <summary><c>Notejam:Sessions:*</c>.</summary>
public sealed class SessionLimits
{
    public const string Section = "Notejam:Sessions";

    /// <summary>
    /// Two requests of one browser may both refresh with the same token: within this time the slower one is told so (409)
    /// and the session lives on; a used refresh token presented later ends the session.
    /// </summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(30);
}

internal enum RefreshRefusal
{
    None,

    /// <summary>Signed out, password changed, account deleted, or the session ended by a reuse.</summary>
    Ended,

    /// <summary>This refresh token was used moments ago by another request of the same session.</summary>
    AlreadyRefreshed,

    /// <summary>This refresh token was used up long ago: the session has now ended.</summary>
    Reused,
}
