using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;

namespace Notejam.Web;

/// <summary>
/// A note's text as HTML: Markdown, with every bit of HTML in it shown as text, links only to the web or mail
/// (rel="nofollow noopener"), and each line break kept, so that the plain notes written before read as they did.
/// </summary>
public static class NoteMarkdown
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    // The advanced extensions less those that write markup a note's author chooses: generic attributes (onclick=…),
    // custom containers (class names that could dress up as the site's own messages), media links (iframes),
    // heading ids (which could clash with the page's own), and mathematics and diagrams (which need a script).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAbbreviations()
        .UseAlertBlocks()
        .UseAutoLinks()
        .UseDefinitionLists()
        .UseEmphasisExtras()
        .UseFootnotes()
        .UseGridTables()
        .UseListExtras()
        .UsePipeTables()
        .UseTaskLists()
        .UseReferralLinks("nofollow", "noopener")
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    public static HtmlString ToHtml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var document = Markdown.Parse(text, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            link.GetDynamicUrl = null;
            link.Url = SafeUrl(link.Url);
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            link.Url = SafeUrl(link.Url) ?? "";
        }

        return new HtmlString(Markdown.ToHtml(document, Pipeline).TrimEnd('\n'));
    }

    /// <summary>
    /// A relative URL, or one to the web or mail; anything else (javascript:, data:, vbscript:…) becomes "#". The
    /// scheme is read as a browser does, without the whitespace and control characters it would skip.
    /// </summary>
    public static string? SafeUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url;
        }

        var visible = string.Concat(url.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)));
        var colon = visible.IndexOf(':', StringComparison.Ordinal);
        var beforeColon = colon < 0 ? "" : visible[..colon];
        var hasScheme = colon >= 0 && beforeColon.IndexOfAny(['/', '?', '#']) < 0;
        return !hasScheme || SafeSchemes.Contains(beforeColon.ToLowerInvariant()) ? url : "#";
    }
}
