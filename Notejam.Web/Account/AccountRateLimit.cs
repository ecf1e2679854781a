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
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
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
