using System.Net;
using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;

namespace Notejam.Web.Rendering;

/// <summary>
/// A note's text as HTML: Markdown, with every bit of HTML in it shown as text, links only to the web or mail
/// (rel="nofollow noopener"), and each line break kept, so that the plain notes written before read as they did.
/// Text that would make Markdig work too hard (too long, too deeply nested, or one of the shapes whose parse cost
/// grows with the square of its length) is shown as plain text instead, and so is anything Markdig throws on.
/// </summary>
public static class NoteMarkdown
{
    /// <summary>The longest text rendered as Markdown: the note form's and the API's limit.</summary>
    public const int MaxLength = NotejamLimits.TextMaxLength;

    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    // The advanced extensions less those that write markup a note's author chooses: generic attributes (onclick=…),
    // custom containers (class names that could dress up as the site's own messages), media links (iframes),
    // heading ids (which could clash with the page's own), and mathematics and diagrams (which need a script).
    // The nesting limit is Markdig's own (128); MarkdownBudget keeps inputs far below the 10,240 it builds up to first.
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
        if (!MarkdownBudget.Allows(text))
        {
            return PlainText(text);
        }

        try
        {
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
        catch (Exception)
        {
            // Markdig's depth limit (an ArgumentException) or any other failure: the note still shows, as text.
            return PlainText(text);
        }
    }

    /// <summary>
    /// The text as a plain note looks rendered: HTML-encoded, a paragraph per run of lines between blank lines, and
    /// each line break inside a paragraph a &lt;br /&gt;. Linear in the length of the text.
    /// </summary>
    public static HtmlString PlainText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var html = new StringBuilder(text.Length + 64);
        var inParagraph = false;
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                if (inParagraph)
                {
                    html.Append("</p>\n");
                    inParagraph = false;
                }

                continue;
            }

            html.Append(inParagraph ? "<br />\n" : "<p>");
            html.Append(WebUtility.HtmlEncode(line));
            inParagraph = true;
        }

        if (inParagraph)
        {
            html.Append("</p>");
        }

        return new HtmlString(html.ToString().TrimEnd('\n'));
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

/// <summary>
/// A linear pre-scan that refuses text on which Markdig 1.6 would spend far more than linear time, measured with a
/// scratch profiler: each limit below is a shape whose cost grows with the square of its size.
/// </summary>
internal static class MarkdownBudget
{
    // Nested blocks (">", "- ", "1. ", indentation) on one line: Markdig opens up to 10,240 before its depth check throws, walking the open chain at every one.
    private const int MaxBlockNesting = 32;

    // Emphasis delimiters and "[" stay open, nested, until their paragraph ends: each new token walks the whole chain.
    private const long MaxDelimiterWork = 500_000;

    // An inline link's or autolink's URL is read up to a space or its unbalanced ")", with no cap on open "(": "[a](" repeated rereads the rest of the line each time.
    private const long MaxUrlScanWork = 1_000_000;

    // Each reference or footnote definition rereads the rest of its paragraph.
    private const long MaxDefinitionWork = 500_000;

    // Pipe-table cells cost some microseconds each: 5,000 keep the worst table under ~15 ms.
    private const int MaxPipes = 5_000;

    // Linear but heavy: 100,000 characters of one-letter lines or of "[a]" took Markdig 50-150 ms; real notes stay far below both.
    private const int MaxLines = 10_000;
    private const int MaxInlineTokens = 20_000;

    private static readonly string[] AutolinkPrefixes = ["http://", "https://", "ftp://", "mailto:", "tel:", "www."];

    public static bool Allows(string text)
    {
        if (text.Length > NoteMarkdown.MaxLength)
        {
            return false;
        }

        long delimiterWork = 0, urlScanWork = 0, definitionWork = 0;
        int pipes = 0, delimiterDepth = 0, openBrackets = 0, definitions = 0, lines = 0, tokens = 0;
        var scans = new Stack<(int Start, int Level)>();
        var parens = 0;
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var line = text.AsSpan(lineStart, lineEnd - lineStart);
            if (line.IsWhiteSpace())
            {
                // A blank line ends the paragraph: its open delimiters and definitions are resolved.
                (delimiterDepth, openBrackets, definitions) = (0, 0, 0);
            }
            else
            {
                lines++;
                if (BlockNesting(line) > MaxBlockNesting)
                {
                    return false;
                }

                if (IsDefinition(line))
                {
                    definitions++;
                    definitionWork += definitions;
                }
            }

            var previous = '\n';
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                // A run of emphasis or backticks is one token; each of the others is one.
                if ((c != previous && c is '*' or '_' or '~' or '^' or '+' or '=' or '`') || c is '[' or ']' or '!' or '<' or '&' or '|' or '\\' or ':')
                {
                    tokens++;
                }

                switch (c)
                {
                    case '\\':
                        i++;
                        break;
                    case '*' or '_' or '~' or '^' or '+' or '=':
                        if (c != previous)
                        {
                            delimiterWork += ++delimiterDepth;
                        }

                        break;
                    case '[':
                        openBrackets++;
                        delimiterWork += ++delimiterDepth;
                        break;
                    case ']':
                        if (openBrackets > 0)
                        {
                            openBrackets--;
                            delimiterDepth--;
                        }

                        break;
                    case '|':
                        pipes++;
                        break;
                    case '(':
                        parens++;
                        if (previous == ']')
                        {
                            scans.Push((lineStart + i + 1, parens));
                        }

                        break;
                    case ')':
                        parens--;
                        while (scans.Count > 0 && scans.Peek().Level > parens)
                        {
                            urlScanWork += lineStart + i - scans.Pop().Start;
                        }

                        break;
                    default:
                        if (char.IsWhiteSpace(c) || char.IsControl(c))
                        {
                            urlScanWork += EndScans(scans, lineStart + i);
                            parens = 0;
                        }
                        else if (c is 'h' or 'f' or 'm' or 't' or 'w' && previous is '\n' or '*' or '_' or '~' or '(' or ' ' or '\t' &&
                            StartsAutolink(line[i..]))
                        {
                            scans.Push((lineStart + i, parens + 1));
                        }

                        break;
                }

                previous = i < line.Length ? line[i] : '\n';
            }

            urlScanWork += EndScans(scans, lineEnd);
            parens = 0;
            if (delimiterWork > MaxDelimiterWork || urlScanWork > MaxUrlScanWork || definitionWork > MaxDefinitionWork || pipes > MaxPipes ||
                lines > MaxLines || tokens > MaxInlineTokens)
            {
                return false;
            }

            lineStart = lineEnd + 1;
        }

        return true;
    }

    /// <summary>How many containers the start of a line opens: quote and list markers, and list indentation.</summary>
    private static int BlockNesting(ReadOnlySpan<char> line)
    {
        int markers = 0, columns = 0, i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c is ' ' or '\t' or '\r')
            {
                columns += c == '\t' ? 4 : 1;
                i++;
            }
            else if (c == '>')
            {
                markers++;
                i++;
            }
            else if (c is '-' or '+' or '*' && (i + 1 == line.Length || char.IsWhiteSpace(line[i + 1])))
            {
                markers++;
                i++;
            }
            else if (char.IsAsciiDigit(c))
            {
                var end = i;
                while (end < line.Length && char.IsAsciiDigit(line[end]))
                {
                    end++;
                }

                if (end < line.Length && line[end] is '.' or ')' && (end + 1 == line.Length || char.IsWhiteSpace(line[end + 1])))
                {
                    markers++;
                    i = end + 1;
                }
                else
                {
                    break;
                }
            }
            else
            {
                break;
            }
        }

        return markers == 0 ? 0 : markers + (columns / 2);
    }

    /// <summary>"[label]: …" or "[^note]: …", up to three spaces in.</summary>
    private static bool IsDefinition(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart(' ');
        return line.Length - trimmed.Length <= 3 && trimmed.StartsWith('[') && trimmed.Contains("]:", StringComparison.Ordinal);
    }

    private static bool StartsAutolink(ReadOnlySpan<char> text)
    {
        foreach (var prefix in AutolinkPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static long EndScans(Stack<(int Start, int Level)> scans, int end)
    {
        long work = 0;
        while (scans.Count > 0)
        {
            work += end - scans.Pop().Start;
        }

        return work;
    }
}
