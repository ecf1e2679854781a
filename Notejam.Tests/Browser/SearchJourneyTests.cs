using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// Writing a note in Markdown and finding it again, in Chromium, against the topology the AppHost starts (the same
/// one <see cref="BrowserJourneyTests"/> uses). Screenshots go to TestResults/screenshots.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed class SearchJourneyTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Write_a_markdown_note_see_it_rendered_and_find_it_by_a_word_highlighted()
    {
        var context = await Chrome.NewContextAsync(new() { BaseURL = topology.App.GetEndpoint("web", "http").ToString() });
        var page = await context.NewPageAsync();
        var email = ApiUser.NewEmail();
        await page.GotoAsync("/signup/");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "a good password");
        await page.FillAsync("#RepeatPassword", "a good password");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Account is created. Now you can sign in.");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "a good password");
        await page.ClickAsync("main button[type=submit]");

        await page.ClickAsync("main a:text-is('New note')");
        await page.FillAsync("#Name", "Packing list");
        await page.FillAsync("#Text", "# Trip\n\n**Passport** and the [map](https://example.com/map)\n\n- sunscreen\n- <script>alert(1)</script>");
        await page.ClickAsync("main button[name=preview]");
        await Expect(page.Locator(".note-preview .note-text strong")).ToHaveTextAsync("Passport");
        await Expect(page.Locator("#Name")).ToHaveValueAsync("Packing list");
        await ShotAsync(page, "note-preview");
        await page.ClickAsync("main button[type=submit]:text-is('Create')");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is successfully created");
        await Expect(page.Locator("main .note-text h1")).ToHaveTextAsync("Trip");
        await Expect(page.Locator("main .note-text li").Last).ToHaveTextAsync("<script>alert(1)</script>");
        await Expect(page.Locator("main .note-text a")).ToHaveAttributeAsync("rel", "nofollow noopener");
        await ShotAsync(page, "note-markdown");

        await page.FillAsync("header input[name=q]", "sunscr");
        await page.PressAsync("header input[name=q]", "Enter");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Search: sunscr (1)");
        await Expect(page.Locator(".search-snippet mark")).ToHaveTextAsync("sunscreen");
        await ShotAsync(page, "search");
        await page.ClickAsync(".search-name");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Packing list");
    }
}
