namespace Notejam.Contracts;

/// <summary>
/// How a search hit's snippet marks each match: between these two private-use characters, which a note's text never
/// needs, so the snippet stays plain text and the site encodes it before it adds its own highlighting.
/// </summary>
public static class SearchMarkers
{
    public const char MatchStart = '\uE000';

    public const char MatchEnd = '\uE001';
}
