using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class MarkdownPagesTests(SiteFactory site)
{
    private const string Markdown = "# July\n\n**Pack** the [map](https://example.com/map)\n- tent\n- <script>alert(1)</script>\n\n[x](javascript:alert(1))";

    [Fact]
    public async Task A_notes_markdown_is_rendered_on_its_page_and_no_script_survives()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var note = await user.CreateNoteAsync("Trip", Markdown);

        var text = note.Document.QuerySelector("main .note-text")!;
        Assert.Equal("July", text.QuerySelector("h1")!.TextContent);
        Assert.Equal("Pack", text.QuerySelector("strong")!.TextContent);
        Assert.Equal(["tent", "<script>alert(1)</script>"], text.QuerySelectorAll("li").Select(li => li.TextContent));
        var links = text.QuerySelectorAll("a").ToList();
        Assert.Equal(["https://example.com/map", "#"], links.Select(a => a.GetAttribute("href")));
        Assert.All(links, a => Assert.Equal("nofollow noopener", a.GetAttribute("rel")));
        Assert.Empty(note.Document.QuerySelectorAll("main script"));
        Assert.DoesNotContain("javascript:", note.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Preview_on_the_create_page_shows_the_rendered_text_and_keeps_what_was_typed_without_saving()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Travel");
        var form = await user.Browser.GetAsync("/notes/create/");

        var preview = await user.Browser.SubmitAsync(form, new Dictionary<string, string?>
        {
            ["Name"] = "Trip", ["Text"] = Markdown, ["PadId"] = pad.IdInUrl.ToString(System.Globalization.CultureInfo.InvariantCulture), ["preview"] = "1",
        });

        Assert.Equal("/notes/create/", preview.Url.AbsolutePath);
        Assert.Equal("Trip", preview.Value("Name"));
        Assert.Equal(Markdown, preview.Value("Text"));
        Assert.Equal(pad.IdInUrl.ToString(System.Globalization.CultureInfo.InvariantCulture), preview.Value("PadId"));
        Assert.Equal("Pack", preview.Document.QuerySelector("main .note-preview .note-text strong")!.TextContent);
        Assert.Empty(preview.Document.QuerySelectorAll("main script, .field-error:not(:empty)"));
        Assert.Equal("All notes (0)", (await user.Browser.GetAsync("/")).Title);

        var saved = await user.Browser.SubmitAsync(preview, new Dictionary<string, string?>());
        Assert.Equal("Note is successfully created", saved.Flash);
        Assert.Equal("Pack", saved.Document.QuerySelector("main .note-text strong")!.TextContent);
    }

    [Fact]
    public async Task Preview_on_the_edit_page_changes_nothing_and_is_refused_for_another_users_note()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var note = await owner.CreateNoteAsync("Trip", "Before");
        var edit = await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/edit/");

        var preview = await owner.Browser.SubmitAsync(edit, new Dictionary<string, string?> { ["Text"] = "*After*", ["preview"] = "1" });
        var foreign = await other.Browser.PostAsync($"/notes/{note.IdInUrl}/edit/",
            NotePagesTests.Form(await other.Browser.GetAsync("/notes/create/"), ("Name", "Mine"), ("Text", "x"), ("Version", "1"), ("preview", "1")));

        Assert.Equal("After", preview.Document.QuerySelector("main .note-preview em")!.TextContent);
        Assert.Equal("*After*", preview.Value("Text"));
        Assert.Equal(edit.Value("Version"), preview.Value("Version"));
        Assert.Equal("Before", (await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/")).Document.QuerySelector("main .note-text")!.TextContent);
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        var saved = await owner.Browser.SubmitAsync(preview, new Dictionary<string, string?>());
        Assert.Equal("Note is successfully updated", saved.Flash);
        Assert.Equal("After", saved.Document.QuerySelector("main .note-text em")!.TextContent);
    }

    [Fact]
    public async Task A_deeply_nested_saved_note_shows_its_page_not_a_500()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var text = new string('>', 20_000);

        var created = await user.CreateNoteAsync("Deep", text);
        var note = await user.Browser.GetAsync($"/notes/{created.IdInUrl}/");

        Assert.Equal(HttpStatusCode.OK, note.Status);
        Assert.Equal(text, note.Document.QuerySelector("main .note-text")!.TextContent.Trim());
    }

    [Fact]
    public async Task Preview_of_a_text_too_long_shows_the_length_error_and_no_preview()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var form = await user.Browser.GetAsync("/notes/create/");

        var preview = await user.Browser.SubmitAsync(form, new Dictionary<string, string?>
        {
            ["Name"] = "Long", ["Text"] = "**bold** " + new string('a', 100_000), ["preview"] = "1",
        });

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal("Text is at most 100,000 characters.", preview.FieldError("Text"));
        Assert.Empty(preview.Document.QuerySelectorAll("main .note-preview, main strong"));
        Assert.Equal("All notes (0)", (await user.Browser.GetAsync("/")).Title);
    }
}
