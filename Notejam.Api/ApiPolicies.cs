using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Notejam.Api.Notes;

namespace Notejam.Api;

/// <summary>Rules every answer of the API follows, registered together so Program.cs names them once.</summary>
internal static class ApiPolicies
{
    public static IServiceCollection AddApiPolicies(this IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, NoStoreFilter>();
        // Unreadable requests reach ApiProblemDetails as exceptions in every environment, so its 400s can name the field.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddOptions<NoteQuota>().BindConfiguration(NoteQuota.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// <c>Cache-Control: no-store</c> on every answer but an anonymous read (health, OpenAPI): a shared cache must never
    /// hand one person's notes, export or tokens to the next. Decided as the answer starts, so errors are covered too;
    /// first in the pipeline, so nothing answers before it.
    /// </summary>
    private sealed class NoStoreFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(MarkIfPersonal, context);
                return nextMiddleware(context);
            });
            next(app);
        };

        private static Task MarkIfPersonal(object state)
        {
            var context = (HttpContext)state;
            var request = context.Request;
            var anonymousRead = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && !request.Headers.ContainsKey(HeaderNames.Authorization)
                && context.User.Identity?.IsAuthenticated != true;
            // A conditional read (ConditionalReads) is private, no-cache: kept by its one client, revalidated on every use.
            if (!anonymousRead && !context.Response.Headers.ContainsKey(HeaderNames.ETag))
            {
                context.Response.Headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        }
    }
}
