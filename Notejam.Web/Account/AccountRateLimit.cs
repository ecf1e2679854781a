using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Notejam.Web.Account;

/// <summary>
/// Slows down password guessing and sign-up or reset-mail floods: each client address may post the
/// account forms a limited number of times a minute (Identity's lockout protects each account on top).
/// </summary>
public static class AccountRateLimit
{
    public const string Policy = "account-forms";
    private const string PermitsKey = "Notejam:AccountPostsPerMinute";

    public static IServiceCollection AddAccountRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue(PermitsKey, 10);
        services.AddSingleton<RateLimitedCounter>();
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
                context.HttpContext.RequestServices.GetRequiredService<RateLimitedCounter>().Add(Policy);
                return ValueTask.CompletedTask;
            };
            options.AddPolicy(Policy, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter("reading a form"));
        });
    }
}

/// <summary>notejam.rate_limited on the "Notejam.Web" meter, as the API counts its own refusals.</summary>
internal sealed class RateLimitedCounter(IMeterFactory meters)
{
    public const string MeterName = "Notejam.Web";

    private readonly Counter<long> _counter = meters.Create(MeterName).CreateCounter<long>(
        "notejam.rate_limited", "{request}", "Requests refused with 429 by a rate limit, by limit.");

    public void Add(string limit) => _counter.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
