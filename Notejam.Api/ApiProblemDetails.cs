using System.Text.Json;

namespace Notejam.Api;

internal static class ApiProblemDetails
{
    /// <summary>Names fields as the JSON does, and says what was wrong with an unreadable request.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is HttpValidationProblemDetails validation)
        {
            var errors = validation.Errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value);
            validation.Errors.Clear();
            foreach (var (field, messages) in errors)
            {
                validation.Errors[field] = messages;
            }
        }

        if (context.Exception is { } exception && IsDatabaseUnavailable(exception))
        {
            context.ProblemDetails.Title = "The database is unavailable.";
            context.ProblemDetails.Detail = "Try again in a few seconds.";
            context.HttpContext.Response.Headers.RetryAfter = "5";
        }

        if (context.Exception is BadHttpRequestException bad)
        {
            context.ProblemDetails.Detail = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large."
                : bad.Message;
        }
    }

    /// <summary>PostgreSQL could not be reached or went away (EF's retries exhausted, a dropped connection, a timeout).</summary>
    public static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        Npgsql.NpgsqlException { IsTransient: true } => true,
        Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException => true,
        Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: { } inner } => IsDatabaseUnavailable(inner),
        InvalidOperationException { InnerException: { } inner } => IsDatabaseUnavailable(inner),
        _ => false,
    };
}
