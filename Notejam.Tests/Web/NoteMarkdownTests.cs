using AngleSharp.Html.Parser;
using Notejam.Web;

namespace Notejam.Tests.Web;

public sealed class NoteMarkdownTests
{
    private static readonly HtmlParser Parser = new();

    [Theory]
    [InlineData("# Plans\n\n**bold** and *italic*", "<h1>Plans</h1>\n<p><strong>bold</strong> and <em>italic</em></p>")]
    [InlineData("- milk\n- eggs", "<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>")]
    [InlineData("Use `git`:\n\n```\ngit commit\n```", "<p>Use <code>git</code>:</p>\n<pre><code>git commit\n</code></pre>")]
    [InlineData("| a | b |\n|---|---|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>")]
    [InlineData("~~gone~~", "<p><del>gone</del></p>")]
    public void Markdown_is_rendered(string text, string html)
    {
        Assert.Equal(html, NoteMarkdown.ToHtml(text).ToString());
    }

    [Fact]
    public void A_plain_note_keeps_its_lines_and_paragraphs()
    {
        var html = NoteMarkdown.ToHtml("Milk\nEggs\n\nThen the bakery").ToString();

        Assert.Equal("<p>Milk<br />\nEggs</p>\n<p>Then the bakery</p>", html);
    }

    [Fact]
    public void Links_are_nofollow_noopener_and_bare_addresses_become_links()
    {
        var document = Parser.ParseDocument(NoteMarkdown.ToHtml("[Notejam](https://example.com/a?b=1) and www.example.org and <mailto:me@example.com>").ToString());

        var links = document.QuerySelectorAll("a").ToList();
        Assert.Equal(["https://example.com/a?b=1", "http://www.example.org", "mailto:me@example.com"], links.Select(a => a.GetAttribute("href")));
        Assert.All(links, a => Assert.Equal("nofollow noopener", a.GetAttribute("rel")));
    }

    public static TheoryData<string> Payloads =>
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[x](https://example.com \"a\" onmouseover=\"alert(1)\")",
        "[x](https://example.com\"onmouseover=\"alert(1))",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "```html\n<script>alert(1)</script>\n```",
        "[x](https://example.com){onclick=alert(1)}",
        "::: alert-success\nFake\n:::",
        "![](https://www.youtube.com/watch?v=x)",
        "<!-- x --><script>alert(1)</script>",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void No_script_survives(string text)
    {
        var html = NoteMarkdown.ToHtml(text).ToString();
        var document = Parser.ParseDocument($"<main>{html}</main>");

        Assert.Empty(document.QuerySelectorAll("script, iframe, svg, object, embed, style, div, [style], [class*='alert']"));
        foreach (var element in document.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
            foreach (var url in new[] { element.GetAttribute("href"), element.GetAttribute("src") }.OfType<string>())
            {
                var scheme = new string([.. url.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c))]).ToLowerInvariant();
                Assert.False(scheme.StartsWith("javascript:", StringComparison.Ordinal) || scheme.StartsWith("vbscript:", StringComparison.Ordinal) ||
                    scheme.StartsWith("data:", StringComparison.Ordinal), $"{text} gave {html}");
            }
        }
    }

    [Theory]
    [InlineData("javascript:alert(1)", "#")]
    [InlineData(" JAVASCRIPT:alert(1)", "#")]
    [InlineData("java\nscript:alert(1)", "#")]
    [InlineData("data:text/html,x", "#")]
    [InlineData("https://example.com/", "https://example.com/")]
    [InlineData("mailto:me@example.com", "mailto:me@example.com")]
    [InlineData("/notes/1/", "/notes/1/")]
    [InlineData("notes?at=12:30", "notes?at=12:30")]
    [InlineData("#top", "#top")]
    public void Only_web_mail_and_relative_urls_are_kept(string url, string kept)
    {
        Assert.Equal(kept, NoteMarkdown.SafeUrl(url));
    }
}
