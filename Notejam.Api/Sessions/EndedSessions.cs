using System.Security.Claims;
using Notejam.Api.Data;

namespace Notejam.Api.Sessions;

/// <summary>
/// A bearer token outlives its session by up to its lifetime. A request whose token belongs to a session that has ended
/// (signed out, password changed or reset, reused refresh token, deleted account) is answered as an anonymous one (401),
/// never with that account's data and never with a note saved for nobody. See <see cref="SessionStore"/>.
/// </summary>
internal static class EndedSessions
{
    public static IApplicationBuilder UseEndedSessionsRefused(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var version = await SessionStore.LiveDataVersionAsync(context.RequestServices.GetRequiredService<NotejamDb>(), context.User, context.RequestAborted);
            if (version is { } live)
            {
                ConditionalReads.Remember(context, live);
            }
            else
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
        }

        await next(context);
    });
}
