using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Notejam.Web.Pages;

/// <summary>
/// A search snippet as HTML: the note's own text HTML-encoded, and only then each match (between the API's U+E000 and
/// U+E001 markers) wrapped in &lt;mark&gt;. Stray or unbalanced markers can only open or close a mark, never anything else.
/// </summary>
public static class SearchSnippet
{
    public const char MatchStart = SearchMarkers.MatchStart;
    public const char MatchEnd = SearchMarkers.MatchEnd;

    public static IHtmlContent ToHtml(string snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        var html = new StringBuilder(snippet.Length + 32);
        var marked = false;
        var start = 0;
        for (var i = 0; i <= snippet.Length; i++)
        {
            var end = i == snippet.Length;
            if (!end && snippet[i] is not (MatchStart or MatchEnd))
            {
                continue;
            }

            html.Append(HtmlEncoder.Default.Encode(snippet[start..i]));
            start = i + 1;
            if (end || snippet[i] == MatchEnd)
            {
                if (marked)
                {
                    html.Append("</mark>");
                    marked = false;
                }
            }
            else if (!marked)
            {
                html.Append("<mark>");
                marked = true;
            }
        }

        return new HtmlString(html.ToString());
    }
}
