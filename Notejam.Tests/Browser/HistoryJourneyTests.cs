using Aspire.Hosting.Testing;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// A note's history, in Chromium, against the topology the AppHost starts: two saves kept, the newest shown as a line
/// diff against the one before it, restored, and the restore itself kept. Screenshots go to TestResults/screenshots.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed class HistoryJourneyTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Edit_a_note_twice_see_what_changed_and_restore_yesterdays_version()
    {
        await using var context = await Chrome.NewContextAsync(new() { BaseURL = topology.App.GetEndpoint("web", "http").ToString() });
        var page = await context.NewPageAsync();
        await BrowserJourneyTests.SignUpAndInAsync(page, ApiUser.NewEmail());
        await page.GotoAsync("/notes/create/");
        await page.FillAsync("#Name", "Packing list");
        await page.FillAsync("#Text", "passport\ntowel\nsunscreen");
        await page.ClickAsync("main button[type=submit]:text-is('Create')");
        foreach (var text in new[] { "passport\ntowel\nhat", "passport\nhat\numbrella" })
        {
            await page.ClickAsync("main a:text-is('Edit')");
            await page.FillAsync("#Text", text);
            await page.ClickAsync("main button[type=submit]:text-is('Save')");
        }

        await page.ClickAsync("main a:text-is('History')");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("History of Packing list");
        await Expect(page.Locator("table.history td.note-name a")).ToHaveCountAsync(2);
        await page.Locator("table.history td.note-name a").First.ClickAsync();
        await Expect(page.Locator(".diff ins")).ToHaveTextAsync(["+hat"]);
        await Expect(page.Locator(".diff del")).ToHaveTextAsync(["−sunscreen"]);
        await ShotAsync(page, "note-history-version");

        await page.ClickAsync("main button:text-is('Restore this version')");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("The version is restored; what the note was is in its history");
        await Expect(page.Locator("main .note-text")).ToHaveTextAsync("passport\ntowel\nhat");
        await page.ClickAsync("main a:text-is('History')");
        await Expect(page.Locator("table.history td.note-name a")).ToHaveCountAsync(3);
        await ShotAsync(page, "note-history");
    }
}
