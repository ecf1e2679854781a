using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Notejam.Api;

/// <summary>Rules every answer of the API follows, registered together so Program.cs names them once.</summary>
internal static class ApiPolicies
{
    /// <summary>
    /// Problem details for every failure (fields named as the JSON names them), validation, strings without NUL, a 1 MB
    /// request body (the import raises its own), and no-store on whatever is personal.
    /// </summary>
    public static IServiceCollection AddApiPolicies(this IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, NoStoreFilter>();
        // Unreadable requests reach ApiProblemDetails as exceptions in every environment, so its 400s can name the field.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblemDetails.Customize);
        services.AddValidation();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new NoNulStrings()));
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
        return services;
    }

    /// <summary>
    /// Exceptions and bare status codes answered as problem details. Unreadable input (bad JSON, an oversized body) is the
    /// client's error, answered with its own status; the database out of reach is an outage to wait out (503, retried by the
    /// site for reads), not a bug.
    /// </summary>
    public static WebApplication UseApiProblems(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when ApiProblemDetails.IsDatabaseUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        return app;
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
