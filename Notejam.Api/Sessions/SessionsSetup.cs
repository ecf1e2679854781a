using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Notejam.Api.Sessions;

internal static class SessionsSetup
{
    /// <summary>
    /// Identity's bearer tokens (<c>Notejam:AccessTokenLifetime</c>), each naming its session in <see cref="SessionStore"/>,
    /// and <c>Notejam:Sessions:*</c>, checked at start.
    /// </summary>
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        var lifetimes = TokenLifetimes.From(builder.Configuration);
        var services = builder.Services;
        services.AddAuthentication(IdentityConstants.BearerScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, options => options.BearerTokenExpiration = lifetimes.AccessTokenLifetime);
        services.AddAuthorization();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<SessionStore>();
        services.AddOptions<SessionLimits>().BindConfiguration(SessionLimits.Section)
            .Validate(o => o.RefreshReuseGrace >= TimeSpan.Zero, $"{SessionLimits.Section}:RefreshReuseGrace must not be negative.")
            .ValidateOnStart();
        return builder;
    }
}
