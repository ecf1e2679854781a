using Notejam.Web.Api;

namespace Notejam.Web.Pages;

internal static class ErrorPagesExtensions
{
    private const string ErrorPath = "/error/";

    /// <summary>
    /// An exception shows the error page (<see cref="ErrorModel"/>) with its status: 429 when the API limited this
    /// visitor's address (not logged as an error), 503 when the API could not answer in time, else 500.
    /// </summary>
    public static IApplicationBuilder UseNotejamExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = ErrorPath,
            StatusCodeSelector = exception => exception switch
            {
                TooManyRequestsException => StatusCodes.Status429TooManyRequests,
                _ when ApiUnavailable.Is(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            SuppressDiagnosticsCallback = context => context.Exception is TooManyRequestsException,
        });

    /// <summary>An error status without a body (a 404, a 400) shows the same error page, re-executed with its code.</summary>
    public static IApplicationBuilder UseNotejamStatusCodePages(this IApplicationBuilder app) =>
        app.UseStatusCodePagesWithReExecute(ErrorPath, "?code={0}");
}
