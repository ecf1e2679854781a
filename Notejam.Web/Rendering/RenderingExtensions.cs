using Microsoft.AspNetCore.Mvc;

namespace Notejam.Web.Rendering;

internal static class RenderingExtensions
{
    /// <summary>
    /// The Razor Pages and what they render with: lowercase URLs with a trailing slash, the antiforgery and flash
    /// cookies of their forms (<see cref="RenderedPages"/> knows both by name), dates in the person's time zone
    /// (<see cref="PersonClock"/>), and the HTML kept of unchanged pages (<see cref="RenderedPages"/>).
    /// </summary>
    public static IHostApplicationBuilder AddNotejamPages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<PersonClock>();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "notejam-antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.Configure<CookieTempDataProviderOptions>(options =>
        {
            options.Cookie.Name = "notejam-flash";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.Configure<RouteOptions>(options =>
        {
            options.LowercaseUrls = true;
            options.AppendTrailingSlash = true;
        });
        builder.Services.AddSingleton<RenderedPages>();
        builder.Services.AddRazorPages().AddMvcOptions(options => options.Filters.AddService<RenderedPages>());
        return builder;
    }
}
