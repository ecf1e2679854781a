using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;

namespace Notejam.Api.Limits;

/// <summary>One limit: at most <see cref="Permits"/> counted events per <see cref="Window"/>.</summary>
public sealed class Limit
{
    public int Permits { get; set; }

    public TimeSpan Window { get; set; }
}

/// <summary>
/// What an attacker does, counted (<c>Notejam:Limits:*</c>); what people do (a successful sign-in) is not. Identity's
/// lockout (5 wrong passwords lock an account for 5 minutes) guards each account on top.
/// </summary>
public sealed class AccountLimitOptions
{
    public const string Section = "Notejam:Limits";

    /// <summary>Wrong passwords (sign-in, change password, delete account), refused passkeys and invalid reset links, per client address.</summary>
    public Limit FailedPasswordsPerAddress { get; set; } = new() { Permits = 10, Window = TimeSpan.FromMinutes(10) };

    /// <summary>Sign-up attempts, taken emails included, per client address: what slows anyone who lists accounts that way.</summary>
    public Limit SignUpsPerAddress { get; set; } = new() { Permits = 20, Window = TimeSpan.FromHours(1) };

    /// <summary>Forgot-password requests per client address, known accounts or not.</summary>
    public Limit ResetRequestsPerAddress { get; set; } = new() { Permits = 10, Window = TimeSpan.FromHours(1) };

    /// <summary>Reset mails per mailbox, whoever asks, so nobody can flood a mailbox through Notejam.</summary>
    public Limit ResetMailsPerMailbox { get; set; } = new() { Permits = 5, Window = TimeSpan.FromHours(1) };

    /// <summary>Share links asked for that open nothing (revoked, mistyped or guessed), per client address.</summary>
    public Limit SharedLinkMissesPerAddress { get; set; } = new() { Permits = 30, Window = TimeSpan.FromMinutes(10) };

    /// <summary>Passkey prompts begun (sign-in or registration options), per client address: each keeps a ceremony for minutes.</summary>
    public Limit PasskeyCeremoniesPerAddress { get; set; } = new() { Permits = 60, Window = TimeSpan.FromMinutes(10) };

    /// <summary>
    /// Whether loopback clients are not counted: on in Development (a developer's own end-to-end runs), off by default
    /// elsewhere, where a sidecar proxy on loopback would exempt everyone. Behind a trusted proxy the forwarded address counts.
    /// </summary>
    public bool? ExemptLoopback { get; set; }

    public IEnumerable<Limit> All =>
        [FailedPasswordsPerAddress, SignUpsPerAddress, ResetRequestsPerAddress, ResetMailsPerMailbox, SharedLinkMissesPerAddress, PasskeyCeremoniesPerAddress];
}

internal enum AccountLimit
{
    FailedPasswords,
    SignUps,
    ResetRequests,
    ResetMails,
    SharedLinkMisses,
    PasskeyCeremonies,
}

/// <summary>
/// The counters behind <see cref="AccountLimitOptions"/>, kept in PostgreSQL so that every replica counts together (one
/// upsert per counted event; reads of pages and notes never touch them). Fixed windows per key; a key is the limit and the
/// client's address (IPv6 by its /64, which one machine usually holds whole) or a hash of the mailbox.
/// </summary>
internal sealed class AccountLimits(NotejamDb db, IOptions<AccountLimitOptions> options, IHostEnvironment environment, TimeProvider clock,
    NotejamMetrics metrics)
{
    /// <summary>The title of the 429 that a client address gets once it has given too many wrong passwords.</summary>
    public const string TooManyWrongPasswords = "Too many wrong passwords from this address. Wait a while, then try again.";

    private readonly AccountLimitOptions _options = options.Value;

    /// <summary>How long <paramref name="key"/> must wait, or null when it may go on; counts nothing.</summary>
    public async Task<TimeSpan?> WaitAsync(AccountLimit limit, IPAddress? address, CancellationToken ct) =>
        Key(limit, address) is { } key ? await WaitAsync(limit, key, ct) : null;

    /// <summary>Counts one event; the wait it leaves, or null when under the limit after it.</summary>
    public async Task<TimeSpan?> CountAsync(AccountLimit limit, IPAddress? address, CancellationToken ct) =>
        Key(limit, address) is { } key ? await CountAsync(limit, key, ct) : null;

    /// <summary>Counts one reset mail to <paramref name="email"/>; the wait, or null when this one may be sent.</summary>
    public Task<TimeSpan?> CountMailAsync(string email, CancellationToken ct) =>
        CountAsync(AccountLimit.ResetMails, "mail:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant()))), ct);

    /// <summary>A 429 answer with the wait in Retry-After, which tells the site this is a wait, not a wrong answer.</summary>
    public ProblemHttpResultWithWait TooMany(AccountLimit limit, TimeSpan wait, string title)
    {
        metrics.RateLimited(Name(limit));
        return new ProblemHttpResultWithWait(wait, title);
    }

    private async Task<TimeSpan?> WaitAsync(AccountLimit limit, string key, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var counter = await db.AbuseCounters.AsNoTracking().Where(c => c.Key == key && c.WindowEnds > now).FirstOrDefaultAsync(ct);
        return counter is not null && counter.Count >= Setting(limit).Permits ? counter.WindowEnds - now : null;
    }

    private async Task<TimeSpan?> CountAsync(AccountLimit limit, string key, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ends = now + Setting(limit).Window;
        // One statement: a new window, or one more in the current one, atomically on every replica.
        var counters = await db.Database.SqlQuery<CounterRow>($"""
            INSERT INTO "AbuseCounters" AS c ("Key", "WindowEnds", "Count") VALUES ({key}, {ends}, 1)
            ON CONFLICT ("Key") DO UPDATE SET
                "Count" = CASE WHEN c."WindowEnds" <= {now} THEN 1 ELSE c."Count" + 1 END,
                "WindowEnds" = CASE WHEN c."WindowEnds" <= {now} THEN {ends} ELSE c."WindowEnds" END
            RETURNING c."Count" AS "Count", c."WindowEnds" AS "WindowEnds"
            """).ToListAsync(ct);
        var counter = counters.Single();
        if (Random.Shared.Next(256) == 0)
        {
            // Windows that have ended are kept only until some later count clears them.
            await db.AbuseCounters.Where(c => c.WindowEnds < now).ExecuteDeleteAsync(ct);
        }

        return counter.Count > Setting(limit).Permits ? counter.WindowEnds - now : null;
    }

    private string? Key(AccountLimit limit, IPAddress? address)
    {
        address = address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address;
        if (address is null || (IPAddress.IsLoopback(address) && (_options.ExemptLoopback ?? environment.IsDevelopment())))
        {
            return null;
        }

        var partition = address.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPNetwork(address, 64).BaseAddress + "/64"
            : address.ToString();
        return $"{Name(limit)}:{partition}";
    }

    private Limit Setting(AccountLimit limit) => limit switch
    {
        AccountLimit.FailedPasswords => _options.FailedPasswordsPerAddress,
        AccountLimit.SignUps => _options.SignUpsPerAddress,
        AccountLimit.ResetRequests => _options.ResetRequestsPerAddress,
        AccountLimit.SharedLinkMisses => _options.SharedLinkMissesPerAddress,
        AccountLimit.PasskeyCeremonies => _options.PasskeyCeremoniesPerAddress,
        _ => _options.ResetMailsPerMailbox,
    };

    private static string Name(AccountLimit limit) => limit switch
    {
        AccountLimit.FailedPasswords => "failed-passwords",
        AccountLimit.SignUps => "sign-ups",
        AccountLimit.ResetRequests => "reset-requests",
        AccountLimit.SharedLinkMisses => "shared-link-misses",
        AccountLimit.PasskeyCeremonies => "passkey-ceremonies",
        _ => "reset-mails",
    };

    private sealed record CounterRow(int Count, DateTimeOffset WindowEnds);
}

/// <summary>429 problem details with Retry-After: a wait imposed on a client address or a mailbox.</summary>
internal sealed class ProblemHttpResultWithWait(TimeSpan wait, string title) : IResult, IEndpointMetadataProvider
{
    /// <summary>Tells the OpenAPI document that an endpoint which may answer this answers 429 with problem details.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => builder.Metadata.Add(new ProducesResponseTypeMetadata(
        StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"]));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(httpContext);
    }
}

internal static class AccountLimitsSetup
{
    /// <summary>The counters and their <c>Notejam:Limits:*</c> settings, checked at start.</summary>
    public static IServiceCollection AddAccountLimits(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AccountLimitOptions>()
            .BindConfiguration(AccountLimitOptions.Section)
            .Validate(o => o.All.All(l => l.Permits >= 1 && l.Window > TimeSpan.Zero),
                $"Each {AccountLimitOptions.Section}:*:Permits must be at least 1 and each Window longer than zero.")
            .ValidateOnStart();
        return services.AddScoped<AccountLimits>();
    }
}
