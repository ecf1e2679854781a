using Microsoft.AspNetCore.Authentication.BearerToken;
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
        // AddBearerToken makes its protectors in a Configure step; a PostConfigure runs after every one of those.
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme)
            .PostConfigure(options => options.BearerTokenProtector = new KeptTickets(options.BearerTokenProtector));
        services.AddAuthorization();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<SessionStore>();
        services.AddOptions<SessionLimits>().BindConfiguration(SessionLimits.Section)
            .Validate(o => o.RefreshReuseGrace >= TimeSpan.Zero, $"{SessionLimits.Section}:RefreshReuseGrace must not be negative.")
            .ValidateOnStart();
        return builder;
    }
}
