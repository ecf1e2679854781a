using System.Net;
using Notejam.Tests.Infrastructure;
using static Notejam.Tests.Web.NotePagesTests;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class PadPagesTests(SiteFactory site)
{
    [Fact]
    public async Task A_pad_is_created()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var pad = await user.CreatePadAsync("Personal");

        Assert.Equal("Pad is successfully created", pad.Flash);
        Assert.Equal("Personal (0)", pad.Title);
        Assert.Equal(["Personal"], pad.PadNames);
    }

    [Fact]
    public async Task A_pad_is_not_created_by_an_anonymous_user()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var form = await user.Browser.GetAsync("/pads/create/");
        using var anonymous = site.Browser();

        var page = await anonymous.PostAsync("/pads/create/", Form(form, ("Name", "Sneaky")));

        Assert.Equal("/signin/", page.Url.AbsolutePath);
        Assert.Empty((await user.Browser.GetAsync("/")).PadNames);
    }

    [Fact]
    public async Task A_pad_is_not_created_without_a_name()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await user.CreatePadAsync("");

        Assert.Equal("Name is required.", page.FieldError("Name"));
        Assert.Empty(page.PadNames);
    }

    [Fact]
    public async Task A_pad_is_edited_by_its_owner()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");

        var edit = await user.Browser.GetAsync($"/pads/{pad.IdInUrl}/edit/");
        Assert.Equal("Personal", edit.Value("Name"));
        Assert.NotNull(edit.Document.QuerySelector($"a[href='/pads/{pad.IdInUrl}/delete/']"));
        var saved = await user.Browser.SubmitAsync(edit, new Dictionary<string, string?> { ["Name"] = "Work" });

        Assert.Equal("Pad is successfully updated", saved.Flash);
        Assert.Equal("Work (0)", saved.Title);
        Assert.Equal(["Work"], saved.PadNames);
    }

    [Fact]
    public async Task A_pad_is_not_edited_with_the_name_missing()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");

        var page = await user.Browser.SubmitAsync(await user.Browser.GetAsync($"/pads/{pad.IdInUrl}/edit/"), new Dictionary<string, string?> { ["Name"] = "" });

        Assert.Equal("Name is required.", page.FieldError("Name"));
        Assert.Equal(["Personal"], page.PadNames);
    }

    [Fact]
    public async Task A_pad_is_not_edited_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var pad = await owner.CreatePadAsync("Private");
        var form = await other.Browser.GetAsync("/pads/create/");

        var get = await other.Browser.GetAsync($"/pads/{pad.IdInUrl}/edit/");
        var post = await other.Browser.PostAsync($"/pads/{pad.IdInUrl}/edit/", Form(form, ("Name", "Mine"), ("Version", "1")));

        Assert.Equal(HttpStatusCode.NotFound, get.Status);
        Assert.Equal(HttpStatusCode.NotFound, post.Status);
        Assert.DoesNotContain("Private", get.Html + post.Html, StringComparison.Ordinal);
        Assert.Equal("Private (0)", (await owner.Browser.GetAsync($"/pads/{pad.IdInUrl}/")).Title);
    }

    [Fact]
    public async Task A_pad_is_viewed_by_its_owner_with_its_notes()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");
        await user.CreateNoteAsync("Inside", padId: pad.IdInUrl);
        await user.CreateNoteAsync("Outside");

        var page = await user.Browser.GetAsync($"/pads/{pad.IdInUrl}/");

        Assert.Equal("Personal (1)", page.Title);
        Assert.Equal(["Inside"], page.NoteNames);
        Assert.NotNull(page.Document.QuerySelector($"a[href='/notes/create/?pad={pad.IdInUrl}']"));
    }

    [Fact]
    public async Task A_pad_is_not_viewed_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var pad = await owner.CreatePadAsync("Private");

        var page = await other.Browser.GetAsync($"/pads/{pad.IdInUrl}/");

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.DoesNotContain("Private", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pad_is_deleted_by_its_owner_and_the_page_says_its_notes_go_too()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");
        await user.CreateNoteAsync("One", padId: pad.IdInUrl);
        await user.CreateNoteAsync("Two", padId: pad.IdInUrl);
        await user.CreateNoteAsync("Elsewhere");

        var confirm = await user.Browser.GetAsync($"/pads/{pad.IdInUrl}/delete/");
        Assert.Contains("Deleting it deletes its 2 notes too.", confirm.Document.QuerySelector("main form p")!.TextContent, StringComparison.Ordinal);
        var deleted = await user.Browser.SubmitAsync(confirm, new Dictionary<string, string?>());

        Assert.Equal("Pad is successfully deleted", deleted.Flash);
        Assert.Equal("All notes (1)", deleted.Title);
        Assert.Equal(["Elsewhere"], deleted.NoteNames);
        Assert.Empty(deleted.PadNames);
    }

    [Fact]
    public async Task A_pad_is_not_deleted_by_another_user()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        var pad = await owner.CreatePadAsync("Private");
        var form = await other.Browser.GetAsync("/pads/create/");

        var page = await other.Browser.PostAsync($"/pads/{pad.IdInUrl}/delete/", Form(form));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal(["Private"], (await owner.Browser.GetAsync("/")).PadNames);
    }
}
