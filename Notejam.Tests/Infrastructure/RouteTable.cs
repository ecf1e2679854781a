using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Notejam.Tests.Infrastructure;

/// <summary>One verb of one route, as the app's own endpoint data declares it.</summary>
public sealed record RouteVerb(string Pattern, string Verb)
{
    /// <summary>Whether the route names one note or pad (its id is the owner's).</summary>
    public bool IsOwned => Pattern.Contains("{id", StringComparison.Ordinal);

    /// <summary>The first path segment: "notes", "pads", "users", ...</summary>
    public string Resource => Pattern.TrimStart('/').Split('/')[0];

    /// <summary>
    /// The pattern with {id} (any constraint) replaced by the note's or the pad's id, by the first segment, and a share
    /// link's {token} by <paramref name="shareToken"/> (when not given, a well-formed one that opens nothing), and a
    /// history's {versionId} by <paramref name="versionId"/>; under /users, {id} is a passkey's, <paramref name="passkeyId"/>
    /// (when not given, a well-formed one that names nothing).
    /// </summary>
    public string Url(int noteId, int padId, string? shareToken = null, long versionId = 1, string? passkeyId = null)
    {
        var url = Pattern;
        var start = url.IndexOf("{id", StringComparison.Ordinal);
        if (start >= 0)
        {
            var id = Resource switch
            {
                "notes" => noteId.ToString(CultureInfo.InvariantCulture),
                "pads" => padId.ToString(CultureInfo.InvariantCulture),
                "users" => passkeyId ?? Notejam.Api.Notes.NoteShare.NewToken(),
                _ => throw new InvalidOperationException($"{Pattern}: an id of what? Teach RouteVerb.Url this resource."),
            };
            url = string.Concat(url.AsSpan(0, start), id, url.AsSpan(url.IndexOf('}', start) + 1));
        }

        url = url.Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{token}", shareToken ?? Notejam.Api.Notes.NoteShare.NewToken(), StringComparison.Ordinal)
            .Replace("{versionId:long}", versionId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.False(url.Contains('{', StringComparison.Ordinal), $"{Pattern} has a parameter the route table cannot fill.");
        return url;
    }

    public override string ToString() => $"{Verb} {Pattern}";
}

internal static class RouteTable
{
    /// <summary>
    /// Every (pattern, verb) the app maps. An endpoint without HttpMethodMetadata answers any verb: Razor Pages
    /// are read as GET and POST, the rest (health checks) as GET.
    /// </summary>
    public static IReadOnlyList<RouteVerb> Of(IServiceProvider services, params string[] verbsWithoutMetadata) =>
    [
        .. services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint =>
                (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? verbsWithoutMetadata)
                .Select(verb => new RouteVerb("/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/'), verb)))
            .Distinct()
            .OrderBy(route => route.Pattern, StringComparer.Ordinal)
            .ThenBy(route => route.Verb, StringComparer.Ordinal),
    ];
}
