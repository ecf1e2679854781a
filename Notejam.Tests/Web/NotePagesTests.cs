using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class NotePagesTests(SiteFactory site)
{
    [Fact]
    public async Task A_note_is_created()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");

        var note = await user.CreateNoteAsync("Groceries", "Milk\nEggs", pad.IdInUrl);

        Assert.Equal("Note is successfully created", note.Flash);
        Assert.Equal("Groceries", note.Title);
        Assert.Equal("Milk\nEggs", note.Document.QuerySelector(".note-text")!.TextContent);
        Assert.Contains("Personal", note.Document.QuerySelector(".note-meta")!.TextContent, StringComparison.Ordinal);
        var home = await user.Browser.GetAsync("/");
        Assert.Equal("All notes (1)", home.Title);
        Assert.Equal(["Groceries"], home.NoteNames);
    }

    [Fact]
    public async Task A_note_is_not_created_by_an_anonymous_user()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var form = await user.Browser.GetAsync("/notes/create/");
        using var anonymous = site.Browser();

        var page = await anonymous.PostAsync("/notes/create/", Form(form, ("Name", "Sneaky"), ("Text", "Text")));

        Assert.Equal("/signin/", page.Url.AbsolutePath);
        Assert.Equal("/notes/create/", page.Value("ReturnUrl"));
        Assert.Equal("All notes (0)", (await user.Browser.GetAsync("/")).Title);
    }

    [Theory]
    [InlineData("Name")]
    [InlineData("Text")]
    public async Task A_note_is_not_created_with_a_required_field_missing(string missing)
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var form = new Dictionary<string, string?> { ["Name"] = "Groceries", ["Text"] = "Milk" };
        form[missing] = "";

        var page = await user.Browser.SubmitAsync(await user.Browser.GetAsync("/notes/create/"), form);

        Assert.Equal($"{missing} is required.", page.FieldError(missing));
        Assert.Equal(missing == "Name" ? "Milk" : "Groceries", page.Value(missing == "Name" ? "Text" : "Name"));
        Assert.Equal("All notes (0)", (await user.Browser.GetAsync("/")).Title);
    }

    [Fact]
    public async Task A_note_is_edited_by_its_owner()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var note = await user.CreateNoteAsync("Groceries", "Milk");

        var edit = await user.Browser.GetAsync($"/notes/{note.IdInUrl}/edit/");
        Assert.Equal("Groceries", edit.Value("Name"));
        var saved = await user.Browser.SubmitAsync(edit, new Dictionary<string, string?> { ["Name"] = "Shopping", ["Text"] = "Bread" });

        Assert.Equal("Note is successfully updated", saved.Flash);
        Assert.Equal("Shopping", saved.Title);
        Assert.Equal("Bread", saved.Document.QuerySelector(".note-text")!.TextContent);
    }

    [Fact]
    public async Task A_note_is_not_edited_with_fields_missing()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var note = await user.CreateNoteAsync("Groceries", "Milk");

        var page = await user.Browser.SubmitAsync(await user.Browser.GetAsync($"/notes/{note.IdInUrl}/edit/"),
            new Dictionary<string, string?> { ["Name"] = "", ["Text"] = "" });

        Assert.Equal("Name is required.", page.FieldError("Name"));
        Assert.Equal("Text is required.", page.FieldError("Text"));
        Assert.Equal("Groceries", (await user.Browser.GetAsync($"/notes/{note.IdInUrl}/")).Title);
    }

    [Fact]
    public async Task A_note_is_not_edited_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var note = await owner.CreateNoteAsync("Secret plans", "World domination");
        var otherEdit = await other.Browser.GetAsync("/notes/create/");

        var get = await other.Browser.GetAsync($"/notes/{note.IdInUrl}/edit/");
        var post = await other.Browser.PostAsync($"/notes/{note.IdInUrl}/edit/", Form(otherEdit, ("Name", "Mine"), ("Text", "Now"), ("Version", "1")));

        Assert.Equal(HttpStatusCode.NotFound, get.Status);
        Assert.Equal(HttpStatusCode.NotFound, post.Status);
        Assert.DoesNotContain("Secret plans", get.Html, StringComparison.Ordinal);
        Assert.Equal("Page not found", post.Title);
        Assert.Equal("Secret plans", (await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/")).Title);
    }

    [Fact]
    public async Task A_note_is_not_added_into_another_users_pad()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var foreignPad = await other.CreatePadAsync("Private");

        var page = await owner.CreateNoteAsync("Sneaky", "In", foreignPad.IdInUrl);

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.DoesNotContain("Private", page.Html, StringComparison.Ordinal);
        Assert.Equal("All notes (0)", (await owner.Browser.GetAsync("/")).Title);
        Assert.Equal("Private (0)", (await other.Browser.GetAsync($"/pads/{foreignPad.IdInUrl}/")).Title);
    }

    [Fact]
    public async Task A_note_is_viewed_by_its_owner()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var note = await user.CreateNoteAsync("Groceries", "Milk");

        var page = await user.Browser.GetAsync($"/notes/{note.IdInUrl}/");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var meta = System.Text.RegularExpressions.Regex.Replace(page.Document.QuerySelector(".note-meta")!.TextContent, @"\s+", " ").Trim();
        Assert.StartsWith("No pad, last edited Today at", meta, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector($"a[href='/notes/{note.IdInUrl}/edit/']"));
        Assert.NotNull(page.Document.QuerySelector($"a[href='/notes/{note.IdInUrl}/delete/']"));
    }

    [Fact]
    public async Task A_note_is_not_viewed_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var note = await owner.CreateNoteAsync("Secret plans", "World domination");

        var page = await other.Browser.GetAsync($"/notes/{note.IdInUrl}/");

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal("Page not found", page.Title);
        Assert.DoesNotContain("Secret", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_note_is_deleted_by_its_owner()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var note = await user.CreateNoteAsync("Groceries", "Milk");

        var confirm = await user.Browser.GetAsync($"/notes/{note.IdInUrl}/delete/");
        Assert.Contains("Are you sure you want to delete the note Groceries?", confirm.Document.QuerySelector("main form p")!.TextContent, StringComparison.Ordinal);
        var deleted = await user.Browser.SubmitAsync(confirm, new Dictionary<string, string?>());

        Assert.Equal("Note is successfully deleted", deleted.Flash);
        Assert.Equal("All notes (0)", deleted.Title);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Browser.GetAsync($"/notes/{note.IdInUrl}/")).Status);
    }

    [Fact]
    public async Task A_note_is_not_deleted_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");
        var form = await other.Browser.GetAsync("/notes/create/");

        var page = await other.Browser.PostAsync($"/notes/{note.IdInUrl}/delete/", Form(form));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/")).Status);
    }

    [Fact]
    public async Task The_create_page_preselects_the_pad_asked_for_and_offers_no_pad()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Work");

        var page = await user.Browser.GetAsync($"/notes/create/?pad={pad.IdInUrl}");

        Assert.Equal(pad.IdInUrl.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Value("PadId"));
        Assert.Equal(["No pad", "Work"], page.Document.QuerySelectorAll("select[name='PadId'] option").Select(o => o.TextContent));
    }

    /// <summary>A form post with a valid antiforgery token of this browser's session, and the given fields.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> Form(SitePage anyFormPage, params (string Name, string Value)[] fields) =>
    [
        new("__RequestVerificationToken", anyFormPage.Document.QuerySelector("main form input[name='__RequestVerificationToken']")!.GetAttribute("value")!),
        .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)),
    ];
}
