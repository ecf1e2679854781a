using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// Every page, in the light and the dark scheme, audited by axe-core (Deque's engine, not ours: its rules are WCAG 2.x
/// A and AA as Deque reads them), with no serious or critical violation allowed; and the site used with the keyboard
/// alone, with a visible focus at every step. The audit injects axe's script, which the site's CSP (script-src 'self')
/// refuses, so the audit's browser contexts bypass the CSP, and only they.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed partial class AccessibilityTests(AppHostFixture topology) : ChromiumTests
{
    private static readonly string[] Wcag = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

    public static TheoryData<string> Schemes => new() { "light", "dark" };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Every_page_passes_axe_with_no_serious_or_critical_violation(string scheme)
    {
        await using var context = await Chrome.NewContextAsync(new()
        {
            BaseURL = topology.App.GetEndpoint("web", "http").ToString(),
            ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            BypassCSP = true,
        });
        var page = await context.NewPageAsync();
        var found = new StringBuilder();

        // Signed out: the account pages, with and without the messages a person meets there.
        foreach (var path in new[] { "/signin/", "/signup/", "/forgot-password/" })
        {
            await AuditAsync(page, path, found);
        }

        await page.GotoAsync("/signup/");
        await page.ClickAsync("main button[type=submit]");
        await AuditAsync(page, null, found, "/signup/ with every field's error");

        var email = ApiUser.NewEmail();
        await BrowserJourneyTests.SignUpAndInAsync(page, email);
        await AuditAsync(page, null, found, "/ with no notes");

        await page.GotoAsync("/pads/create/");
        await page.FillAsync("#Name", "Holidays");
        await page.ClickAsync("main button[type=submit]");
        var pad = PadPath().Match(page.Url).Value;
        await AuditAsync(page, null, found, "a pad's page with its flash message");

        await page.GotoAsync("/notes/create/");
        await page.FillAsync("#Name", "Packing list");
        await page.FillAsync("#Text", "# Trip\n\n**Passport** and the [map](https://example.com/map)\n\n- sunscreen\n- `towel`\n\n> a quote");
        await page.SelectOptionAsync("#PadId", new SelectOptionValue { Label = "Holidays" });
        await page.ClickAsync("main button[type=submit]:text-is('Create')");
        var note = NotePath().Match(page.Url).Value;
        await AuditAsync(page, null, found, "a note's page with its flash message");
        await page.GotoAsync($"{note}edit/");
        await page.FillAsync("#Text", "# Trip\n\n**Passport**, a towel and the [map](https://example.com/map)\n\n- sunscreen");
        await page.ClickAsync("main button[type=submit]:text-is('Save')");
        await page.GotoAsync($"{note}history/");
        await AuditAsync(page, null, found, "a note's history");
        await page.Locator("table.history td.note-name a").First.ClickAsync();
        await AuditAsync(page, null, found, "a version of a note, with its diff");
        await page.GotoAsync(note);
        await page.ClickAsync("main button:text-is('Share by link')");
        await AuditAsync(page, null, found, "a note's page with its share link");
        await AuditAsync(page, new Uri(await page.Locator("#share-link").InputValueAsync()).PathAndQuery, found, "the shared note's page");

        await page.GotoAsync("/notes/create/");
        await page.FillAsync("#Name", "Unsorted thought");
        await page.FillAsync("#Text", "Without a pad.");
        await page.ClickAsync("main button[name=preview]");
        await AuditAsync(page, null, found, "/notes/create/ with a preview");

        await page.GotoAsync("/notes/create/");
        await page.ClickAsync("main button[type=submit]:text-is('Create')");
        await AuditAsync(page, null, found, "/notes/create/ with every field's error");

        // Passkeys: the settings page with one listed, then without a password (the delete page below then asks for a passkey).
        await PasskeyJourneyTests.AddAuthenticatorAsync(context, page);
        await page.GotoAsync("/settings/");
        await page.FillAsync("#new-passkey-name", "Laptop");
        await page.FillAsync("#new-passkey-password", "first password");
        await page.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(page.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Laptop"]);
        await AuditAsync(page, null, found, "/settings/ with a passkey and its flash message");
        await page.FillAsync("#CurrentPassword", "wrong");
        await page.ClickAsync("#remove-password button[type=submit]");
        await AuditAsync(page, null, found, "/settings/ with the remove-password form's error");
        await page.FillAsync("#CurrentPassword", "first password");
        await page.ClickAsync("#remove-password button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Password is removed: sign in with your passkey from now on");
        await AuditAsync(page, null, found, "/settings/ without a password");

        foreach (var path in new[]
        {
            "/", "/?order=name", "/?order=-updated_at", "/pads/create/", pad, $"{pad}?order=name", $"{pad}edit/", $"{pad}delete/",
            "/notes/create/", note, $"{note}edit/", $"{note}delete/", "/search/?q=sunscreen", "/search/?q=nothing-like-it",
            "/settings/", "/settings/import/", "/settings/delete/", "/pads/999999999/", "/signout/",
        })
        {
            await AuditAsync(page, path, found);
        }

        await page.ClickAsync("main button[type=submit]");
        await AuditAsync(page, null, found, "/signin/ after signing out");

        Assert.True(found.Length == 0, $"axe found serious or critical violations ({scheme} scheme):\n{found}");
    }

    /// <summary>
    /// Sign in, write a note, find it again and share it with the keyboard alone (Tab, typing, Enter), and at every stop of the
    /// focus the element shows it: an outline or a shadow drawn because it has the keyboard's focus.
    /// </summary>
    [Fact]
    public async Task A_keyboard_alone_signs_in_writes_a_note_finds_it_and_shares_it_with_the_focus_visible_at_every_step()
    {
        var web = topology.App.GetEndpoint("web", "http").ToString();
        var email = ApiUser.NewEmail();
        await using (var setup = await Chrome.NewContextAsync(new() { BaseURL = web }))
        {
            await BrowserJourneyTests.SignUpAndInAsync(await setup.NewPageAsync(), email);
        }

        await using var context = await Chrome.NewContextAsync(new() { BaseURL = web });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin/");

        await TabToAsync(page, "a.skip-link");
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync(page, "#Email");
        await page.Keyboard.TypeAsync(email);
        await TabToAsync(page, "#Password");
        await page.Keyboard.TypeAsync("first password");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("All notes (0)");

        await TabToAsync(page, "a.skip-link");
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync(page, "main a:text-is('New note')");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("New note");
        await TabToAsync(page, "#Name");
        await page.Keyboard.TypeAsync("Reached by keyboard");
        await TabToAsync(page, "#Text");
        await page.Keyboard.TypeAsync("Written without a mouse, about a lighthouse.");
        await TabToAsync(page, "main button[type=submit]:text-is('Create')");
        await ShotAsync(page, "keyboard-focus-create", fullPage: false);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is successfully created");

        await TabToAsync(page, "header input[name=q]");
        await page.Keyboard.TypeAsync("lighthouse");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Search: lighthouse (1)");
        await TabToAsync(page, "a.search-name");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Reached by keyboard");

        await TabToAsync(page, "main button:text-is('Share by link')");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is shared: anyone with the link below can read it");
        await TabToAsync(page, "#share-link");
        await ShotAsync(page, "keyboard-focus-share-link", fullPage: false);
    }

    /// <summary>
    /// Presses Tab until the focus is on <paramref name="selector"/>, and asserts that every element the focus stops
    /// on on the way draws a focus indicator (a non-zero outline or a box shadow, in its computed style).
    /// </summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        var target = page.Locator(selector);
        for (var press = 0; press < 60; press++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focus = await page.EvaluateAsync<string[]>(
                """
                () => {
                    const e = document.activeElement;
                    if (e === document.body) return ['the page itself', 'true']; // no element has the focus yet
                    const s = getComputedStyle(e);
                    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                    return [e.outerHTML.slice(0, 120), String(outlined || s.boxShadow !== 'none')];
                }
                """);
            Assert.True(focus[1] == "true", $"On the way to {selector}, the focus on {focus[0]} is not visible.");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"60 presses of Tab never reached {selector}.");
    }

    private static async Task AuditAsync(IPage page, string? path, StringBuilder found, string? what = null)
    {
        if (path is not null)
        {
            await page.GotoAsync(path);
        }

        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. Wcag] },
        });
        foreach (var violation in results.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            found.Append(CultureInfo.InvariantCulture, $"- {what ?? path}: {violation.Id} ({violation.Impact}): {violation.Help}\n");
            foreach (var node in violation.Nodes.Take(5))
            {
                var checks = node.Any.Concat(node.All).Concat(node.None).Select(check => check.Message);
                found.Append(CultureInfo.InvariantCulture, $"    {node.Target}: {string.Join("; ", checks)}\n");
            }
        }
    }

    [GeneratedRegex(@"/pads/\d+/")]
    private static partial Regex PadPath();

    [GeneratedRegex(@"/notes/\d+/")]
    private static partial Regex NotePath();
}
