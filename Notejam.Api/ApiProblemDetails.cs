using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Notejam.Api;

internal static partial class ApiProblemDetails
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
            Describe(context.ProblemDetails, bad);
        }
    }

    /// <summary>
    /// Says what was wrong with an unreadable request by the JSON's own field names: the framework's messages name
    /// C# types and parameter declarations ("CreateNoteRequest request"), which are nobody's business outside.
    /// </summary>
    private static void Describe(ProblemDetails problem, BadHttpRequestException bad)
    {
        switch (bad)
        {
            case { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                problem.Detail = "The request body is too large.";
                return;
            case { StatusCode: StatusCodes.Status415UnsupportedMediaType }:
                problem.Title = "Unsupported media type.";
                problem.Detail = "Send the body as JSON, with Content-Type: application/json.";
                return;
            case { InnerException: JsonException json }:
                DescribeJson(problem, json);
                return;
        }

        if (bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal))
        {
            problem.Title = "The request body is missing.";
            problem.Detail = "Send a JSON object.";
        }
        else if (MissingParameter().Match(bad.Message) is { Success: true } missing)
        {
            if (missing.Groups["source"].Value == "body")
            {
                problem.Title = "The request body is missing.";
                problem.Detail = "Send a JSON object.";
            }
            else
            {
                Name(problem, "A required value is missing.", missing.Groups["name"].Value, "This value is required.");
            }
        }
        else if (UnboundParameter().Match(bad.Message) is { Success: true } unbound)
        {
            Name(problem, "A value is not valid.", unbound.Groups["name"].Value, "This value is not valid here.");
        }
        else
        {
            problem.Title = "The request cannot be read.";
            problem.Detail = null;
        }
    }

    private static void DescribeJson(ProblemDetails problem, JsonException json)
    {
        // "$.pads[0].name" names the field as the client wrote it; "$" alone is the whole body.
        var field = json.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : null;
        var (title, message) = json switch
        {
            _ when json.Message.StartsWith(NoNulStrings.Message, StringComparison.Ordinal) =>
                ("A field holds a character that is not allowed.", NoNulStrings.Message),
            // The reader's own exception inside is a syntax error; anything else is a value of the wrong type.
            { InnerException: JsonException } => ("The request body is not valid JSON.", "This is not valid JSON."),
            _ when field is null => ("The request body must be a JSON object.", "A JSON object is expected here."),
            _ => ("A field has the wrong type.", "This value has the wrong type."),
        };
        if (field is null)
        {
            problem.Title = title;
            problem.Detail = json.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"{message} (line {line + 1})")
                : message;
            return;
        }

        Name(problem, title, field, message);
    }

    /// <summary>A problem with one field: named in the detail and in errors, as validation problems name them.</summary>
    private static void Name(ProblemDetails problem, string title, string field, string message)
    {
        problem.Title = title;
        problem.Detail = $"{field}: {message}";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
    }

    // "Required parameter \"int page\" was not provided from query string." (the type is left out where none is known)
    [GeneratedRegex("""^Required parameter "(?:[^"]* )?(?<name>[^" ]+)" was not provided from (?<source>[^.]+)\.$""")]
    private static partial Regex MissingParameter();

    // "Failed to bind parameter \"int page\" from \"abc\"."
    [GeneratedRegex("""^Failed to bind parameter "(?:[^"]* )?(?<name>[^" ]+)" from """)]
    private static partial Regex UnboundParameter();

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
