using Notejam.Web.Pages;

namespace Notejam.Tests.Web;

public sealed class SearchSnippetTests
{
    [Theory]
    [InlineData("a \uE000kiwi\uE001 b", "a <mark>kiwi</mark> b")]
    [InlineData("\uE000<script>\uE001alert(1)</script>", "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;")]
    [InlineData("\"a\" & 'b' <i>", "&quot;a&quot; &amp; &#x27;b&#x27; &lt;i&gt;")]
    [InlineData("unclosed \uE000mark", "unclosed <mark>mark</mark>")]
    [InlineData("stray\uE001 end \uE000\uE000twice\uE001\uE001", "stray end <mark>twice</mark>")]
    [InlineData("", "")]
    public void The_text_is_encoded_and_only_the_markers_become_marks(string snippet, string html)
    {
        Assert.Equal(html, SearchSnippet.ToHtml(snippet).ToString());
    }
}
