using Microsoft.AspNetCore.Http.HttpResults;

namespace Notejam.Api;

/// <summary>The RFC 7807 answers the API gives besides validation problems.</summary>
internal static class Problems
{
    /// <summary>Missing and not yours read the same, and never name what was asked for.</summary>
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: $"No such {what}.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Stale(string what) => TypedResults.Problem(
        title: $"The {what} was changed since you read it.",
        detail: $"Read the {what} again and apply your change to its current version.",
        statusCode: StatusCodes.Status409Conflict);
}
