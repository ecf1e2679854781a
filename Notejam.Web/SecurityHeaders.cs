namespace Notejam.Web;

internal static class SecurityHeaders
{
    // Everything is served by the site itself; no inline script or style is needed anywhere.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    /// <summary>Strict-Transport-Security on HTTPS answers, except in development.</summary>
    public static WebApplication UseNotejamHsts(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app;
    }

    /// <summary>The headers every answer gets (static files included), and no-store on personal answers.</summary>
    public static IApplicationBuilder UseNotejamSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        context.Response.OnStarting(NoStoreIfPersonal, context);
        return next(context);
    });

    /// <summary>
    /// A signed-in person's pages (errors and downloads included) or an answer that sets a cookie are nobody else's:
    /// no cache may keep them. Decided as the answer starts, when authentication has run; static files are served
    /// before it, so they keep their caching.
    /// </summary>
    private static Task NoStoreIfPersonal(object state)
    {
        var context = (HttpContext)state;
        if (context.User.Identity?.IsAuthenticated == true || context.Response.Headers.SetCookie.Count > 0)
        {
            context.Response.Headers.CacheControl = "no-store";
        }

        return Task.CompletedTask;
    }
}
