using System.CommandLine;

namespace Notejam.DevTools;

internal static class SiteOption
{
    /// <summary><c>--site URL</c>: the site's absolute address (System.CommandLine does not parse a <see cref="Uri"/> itself).</summary>
    public static Option<Uri> Create() => new("--site")
    {
        Description = "The site's address, e.g. http://localhost:5162.",
        Required = true,
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : Fail(result),
    };

    private static Uri Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--site takes an absolute http(s) address, not '{result.Tokens.Single().Value}'.");
        return null!;
    }
}
