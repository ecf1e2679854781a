using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Notejam.Api.Users;

/// <summary>
/// Limits on the anonymous account endpoints, on top of Identity's lockout (5 wrong passwords lock an account):
/// <list type="bullet">
/// <item>each client address may post sign-in, register, forgot- and reset-password
/// <c>Notejam:AccountPostsPerMinute</c> times a minute (20 by default; the site forwards its visitors' addresses
/// and a sign-up costs it two calls), then gets 429 with Retry-After;</item>
/// <item>each email address may be sent <c>Notejam:ResetMailsPerHour</c> reset mails an hour (5 by default), however
/// many clients ask, so nobody can flood a mailbox through Notejam.</item>
/// </list>
/// The windows live in each replica's memory: with n replicas a client gets at most n times the limit.
/// </summary>
internal static class AccountLimits
{
    public const string ClientPolicy = "account-posts";

    public static IServiceCollection AddAccountLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perClient = configuration.GetValue("Notejam:AccountPostsPerMinute", 20);
        services.AddSingleton(new ResetMailLimit(configuration.GetValue("Notejam:ResetMailsPerHour", 5)));
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, _) =>
            {
                var http = context.HttpContext;
                http.RequestServices.GetRequiredService<NotejamMetrics>().RateLimited(ClientPolicy);
                await WriteTooManyAsync(http, TimeSpan.FromMinutes(1), "Too many attempts from this address. Wait a minute, then try again.");
            };
            options.AddPolicy(ClientPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perClient, Window = TimeSpan.FromMinutes(1) }));
        });
    }

    /// <summary>429 as problem details, with the Retry-After that tells the site this is a wait, not a wrong answer.</summary>
    public static async Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter, string title)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = title },
        });
    }
}

/// <summary>How many reset mails each email address has been sent lately (a sliding hour, per replica).</summary>
internal sealed class ResetMailLimit(int perHour) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(
        email => RateLimitPartition.GetSlidingWindowLimiter(email.ToUpperInvariant(),
            _ => new SlidingWindowRateLimiterOptions { PermitLimit = perHour, Window = Window, SegmentsPerWindow = 6 }));

    public bool TryTake(string email)
    {
        using var lease = _limiter.AttemptAcquire(email);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
