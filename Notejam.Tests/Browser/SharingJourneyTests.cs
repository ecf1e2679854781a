using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// Sharing a note by link, in Chromium, against the topology the AppHost starts: the owner makes the link, someone
/// signed out opens it, the owner edits the note and revokes the link. Screenshots go to TestResults/screenshots.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed class SharingJourneyTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Share_a_note_by_link_read_it_signed_out_see_the_edit_and_revoke_it()
    {
        var web = topology.App.GetEndpoint("web", "http").ToString();
        await using var ownerContext = await Chrome.NewContextAsync(new() { BaseURL = web });
        var owner = await ownerContext.NewPageAsync();
        await BrowserJourneyTests.SignUpAndInAsync(owner, ApiUser.NewEmail());
        await owner.GotoAsync("/notes/create/");
        await owner.FillAsync("#Name", "Dinner recipe");
        await owner.FillAsync("#Text", "# Soup\n\n**Leeks** and potatoes");
        await owner.ClickAsync("main button[type=submit]:text-is('Create')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Note is successfully created");

        await owner.ClickAsync("main button:text-is('Share by link')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Note is shared: anyone with the link below can read it");
        var link = await owner.Locator("#share-link").InputValueAsync();
        Assert.Matches("/shared/[A-Za-z0-9_-]{43}/$", link);
        await ShotAsync(owner, "note-shared");
        await owner.GotoAsync("/");
        await Expect(owner.Locator("td.note-name .shared-marker")).ToHaveTextAsync("shared");

        await using var strangerContext = await Chrome.NewContextAsync();
        var stranger = await strangerContext.NewPageAsync();
        var opened = await stranger.GotoAsync(link);
        Assert.Equal(200, opened!.Status);
        Assert.Equal("no-referrer", await opened.HeaderValueAsync("referrer-policy"));
        Assert.Contains("noindex", await opened.HeaderValueAsync("x-robots-tag") ?? "", StringComparison.Ordinal);
        await Expect(stranger.Locator("h1.page-title")).ToHaveTextAsync("Dinner recipe");
        await Expect(stranger.Locator("main .note-text strong")).ToHaveTextAsync("Leeks");
        await Expect(stranger.Locator("meta[name=robots]")).ToHaveAttributeAsync("content", "noindex, nofollow");
        await Expect(stranger.Locator(".account-bar, aside, form")).ToHaveCountAsync(0);
        await ShotAsync(stranger, "shared-note-signed-out");

        await owner.GotoAsync("/");
        await owner.ClickAsync("td.note-name a:text-is('Dinner recipe')");
        await owner.ClickAsync("main a:text-is('Edit')");
        await owner.FillAsync("#Text", "# Soup\n\n**Leeks**, potatoes and cream");
        await owner.ClickAsync("main button[type=submit]:text-is('Save')");
        await stranger.ReloadAsync();
        await Expect(stranger.Locator("main .note-text p")).ToHaveTextAsync("Leeks, potatoes and cream");

        await owner.ClickAsync("main button:text-is('Stop sharing')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Note is no longer shared: its link opens nothing now");
        await Expect(owner.Locator("main button:text-is('Share by link')")).ToHaveCountAsync(1);
        var revoked = await stranger.ReloadAsync();
        Assert.Equal(404, revoked!.Status);
    }
}
