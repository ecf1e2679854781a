using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Notejam.Web.Api;

namespace Notejam.Web.Account;

internal static class AuthenticationExtensions
{
    /// <summary>
    /// The session cookie (<see cref="NotejamSession"/>), every page for signed-in people unless it says otherwise, and
    /// the count of the API's refusals on the account forms.
    /// </summary>
    public static IHostApplicationBuilder AddNotejamAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "notejam";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/signin/";
                options.LogoutPath = "/signout/";
                options.AccessDeniedPath = "/signin/";
                options.ExpireTimeSpan = TimeSpan.FromDays(14);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = NotejamSession.ValidateAsync;
            });
        // After AddCookie's own post-configuration, which makes the data-protection ticket format this wraps.
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .PostConfigure(options => options.TicketDataFormat = new KeptTickets(options.TicketDataFormat));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        // The API counts what an attacker does on the account forms across all replicas (the site forwards each
        // visitor's address); the site shows its 429 and counts it here.
        builder.Services.AddSingleton<RateLimitedCounter>();
        return builder;
    }

    /// <summary>
    /// Between authentication and authorization: a page whose API call finds the session ended sends the person to
    /// sign in again instead of to the error page.
    /// </summary>
    public static IApplicationBuilder UseNotejamSessionExpiry(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (SessionExpiredException) when (!context.Response.HasStarted)
        {
            // The API refused the token (revoked or expired): sign in again, then come back here.
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect($"/signin/?ReturnUrl={Uri.EscapeDataString(here)}");
        }
    });
}
