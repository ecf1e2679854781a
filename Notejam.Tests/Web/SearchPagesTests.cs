using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class SearchPagesTests(SiteFactory site)
{
    [Fact]
    public async Task The_search_box_is_on_every_page_of_a_signed_in_person()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var note = await user.CreateNoteAsync("Groceries");
        using var anonymous = site.Browser();

        foreach (var url in new[] { "/", $"/notes/{note.IdInUrl}/", "/notes/create/", "/pads/create/", "/settings/", "/search/" })
        {
            var box = (await user.Browser.GetAsync(url)).Document.QuerySelector("header form[role='search'][action='/search/'][method='get'] input[name='q']");
            Assert.True(box is not null, $"No search box on {url}");
        }

        Assert.Null((await anonymous.GetAsync("/signin/")).Document.QuerySelector("form[role='search']"));
    }

    [Fact]
    public async Task Results_come_best_first_with_their_pad_and_the_matches_highlighted()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Fruit");
        await user.CreateNoteAsync("Shopping", "Milk, a kiwi and bread");
        await user.CreateNoteAsync("Kiwi sorbet", "Peel the fruit", pad.IdInUrl);
        await user.CreateNoteAsync("Apples", "Nothing to see");

        var page = await user.Browser.GetAsync("/search/?q=kiwi");

        Assert.Equal("Search: kiwi (2)", page.Title);
        Assert.Equal("kiwi", page.Value("q"));
        Assert.Equal(["Kiwi sorbet", "Shopping"], page.Document.QuerySelectorAll(".search-results .search-name").Select(a => a.TextContent));
        var results = page.Document.QuerySelectorAll(".search-results li");
        Assert.StartsWith("In Fruit, last edited Today at", Normalized(results[0].QuerySelector(".note-meta")!.TextContent), StringComparison.Ordinal);
        Assert.Equal("Milk, a kiwi and bread", results[1].QuerySelector(".search-snippet")!.TextContent);
        Assert.Equal(["kiwi"], results[1].QuerySelectorAll(".search-snippet mark").Select(m => m.TextContent));
        Assert.Equal($"/pads/{pad.IdInUrl}/", results[0].QuerySelector(".note-meta a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_script_in_a_note_or_in_the_query_is_shown_as_text_never_run()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        const string script = "<script>alert('x')</script>";
        await user.CreateNoteAsync($"{script} kiwi", $"kiwi <img src=x onerror=alert(1)> & {script} \uE000kiwi\uE001 \"><b>");

        foreach (var page in new[] { await user.Browser.GetAsync("/search/?q=kiwi"), await user.Browser.GetAsync($"/search/?q={Uri.EscapeDataString(script)}") })
        {
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.DoesNotContain("<script>alert", page.Html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert", page.Html, StringComparison.Ordinal);
            Assert.Empty(page.Document.QuerySelectorAll("main script, main img, main b, header script"));
        }

        var found = await user.Browser.GetAsync("/search/?q=kiwi");
        Assert.All(found.Document.QuerySelectorAll(".search-snippet mark"), m => Assert.Equal("kiwi", m.TextContent));
        Assert.Contains("&amp;", found.Document.QuerySelector(".search-snippet")!.InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_search_asks_for_words_and_a_search_without_results_says_so()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        await user.CreateNoteAsync("Groceries", "Milk");

        var empty = await user.Browser.GetAsync("/search/?q=+++");
        var none = await user.Browser.GetAsync("/search/?q=zanzibar");
        var punctuation = await user.Browser.GetAsync($"/search/?q={Uri.EscapeDataString("&|!():*'\"\\")}");
        var tooLong = await user.Browser.GetAsync($"/search/?q={new string('a', 201)}");

        Assert.Equal("Search", empty.Title);
        Assert.StartsWith("Type a few words", empty.Document.QuerySelector("main .empty")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("No notes match “zanzibar”.", none.Document.QuerySelector("main .empty")!.TextContent);
        Assert.Equal(HttpStatusCode.OK, punctuation.Status);
        Assert.Contains("No notes match", punctuation.Document.QuerySelector("main .empty")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Search for at most 200 characters.", tooLong.Error);
    }

    [Fact]
    public async Task Results_are_paged_like_the_notes_list()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        for (var i = 1; i <= 21; i++)
        {
            await user.CreateNoteAsync($"Lemon {i}", "Lemonade");
        }

        var first = await user.Browser.GetAsync("/search/?q=lemon");
        var next = first.Document.QuerySelector(".pagination a[rel='next']")!.GetAttribute("href")!;
        var second = await user.Browser.GetAsync(next);

        Assert.Equal("Search: lemon (21)", first.Title);
        Assert.Equal(20, first.Document.QuerySelectorAll(".search-results li").Length);
        Assert.Equal("/search/?q=lemon&page=2", next);
        Assert.Equal(["Lemon 1"], second.Document.QuerySelectorAll(".search-results .search-name").Select(a => a.TextContent));
        Assert.Equal("Page 2 of 2", second.Document.QuerySelector(".pagination span")!.TextContent);
    }

    [Fact]
    public async Task Search_needs_a_signed_in_person_and_finds_only_their_notes()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        await owner.CreateNoteAsync("Secret zanzibar plans");
        using var anonymous = site.Browser();

        var signin = await anonymous.GetAsync("/search/?q=zanzibar");
        var others = await other.Browser.GetAsync("/search/?q=zanzibar");

        Assert.Equal("/signin/", signin.Url.AbsolutePath);
        Assert.Equal("/search/?q=zanzibar", signin.Value("ReturnUrl"));
        Assert.Equal("Search: zanzibar (0)", others.Title);
        Assert.DoesNotContain("Secret", others.Html, StringComparison.Ordinal);
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}
