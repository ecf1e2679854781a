using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// A person's whole day with Notejam, in Chromium, against the topology the AppHost starts. Screenshots of
/// the main pages are kept in TestResults/screenshots as test artifacts.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed partial class BrowserJourneyTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Sign_up_keep_notes_in_a_pad_and_recover_a_forgotten_password()
    {
        var page = await NewPageAsync(1280, 800);
        var email = ApiUser.NewEmail();

        await page.GotoAsync("/signup/");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "first password");
        await page.FillAsync("#RepeatPassword", "first password");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Account is created. Now you can sign in.");

        await SignInAsync(page, email, "first password");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("All notes (0)");
        await ShotAsync(page, "all-notes-empty");

        await page.ClickAsync("aside a:text-is('New pad')");
        await page.FillAsync("#Name", "Personal");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Pad is successfully created");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Personal (0)");

        await page.ClickAsync("main a:text-is('New note')");
        await Expect(page.Locator("#PadId option:checked")).ToHaveTextAsync("Personal");
        await page.FillAsync("#Name", "My July plans");
        await page.FillAsync("#Text", "1. Finish the project\n2. Trip to Amsterdam");
        await ShotAsync(page, "new-note");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is successfully created");
        await ShotAsync(page, "note");

        await page.ClickAsync("main a:text-is('Edit')");
        await page.FillAsync("#Name", "My August plans");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("My August plans");

        await page.ClickAsync(".logo");
        await page.ClickAsync("main a:text-is('New note')");
        await page.FillAsync("#Name", "A gift list");
        await page.FillAsync("#Text", "Books");
        await page.SelectOptionAsync("#PadId", new SelectOptionValue { Label = "Personal" });
        await page.ClickAsync("main button[type=submit]");
        await page.ClickAsync(".logo");
        await Expect(page.Locator("td.note-name a")).ToHaveTextAsync(["A gift list", "My August plans"]);
        await Expect(page.Locator("td.note-date time").First).ToHaveTextAsync(TodayAt());
        await page.ClickAsync("a.sort[href='/?order=-name']");
        await Expect(page.Locator("td.note-name a")).ToHaveTextAsync(["My August plans", "A gift list"]);
        await ShotAsync(page, "all-notes");

        await page.ClickAsync("td.note-name a:text-is('My August plans')");
        await page.ClickAsync("main a:text-is('Delete it')");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is successfully deleted");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("All notes (1)");

        await page.ClickAsync("aside a:text-is('Personal')");
        await page.ClickAsync("main a:text-is('Pad settings')");
        await page.ClickAsync("main a:text-is('Delete pad')");
        await Expect(page.Locator("main form p")).ToContainTextAsync("Deleting it deletes its 1 note too.");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Pad is successfully deleted");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("All notes (0)");

        await page.ClickAsync("nav a:text-is('Account settings')");
        await page.FillAsync("#OldPassword", "first password");
        await page.FillAsync("#NewPassword", "second password");
        await page.FillAsync("#RepeatNewPassword", "second password");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Password is successfully changed");

        await page.ClickAsync("nav button:text-is('Sign out')");
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await page.ClickAsync("main a:text-is('Forgot password?')");
        await page.FillAsync("#Email", email);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToContainTextAsync("a link to reset its password is on its way");

        using var sink = topology.App.CreateHttpClient("mail", "http");
        var mail = await MailSink.PlainTextMailToAsync(sink, email);
        var link = ResetLink().Match(mail).Value;
        await page.GotoAsync(link);
        await page.FillAsync("#NewPassword", "third password");
        await page.FillAsync("#RepeatNewPassword", "third password");
        await ShotAsync(page, "reset-password");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Your password is changed. Sign in with the new one.");

        await SignInAsync(page, email, "third password");
        await Expect(page.Locator(".account-email")).ToHaveTextAsync($"{email}:");
    }

    [Fact]
    public async Task Take_my_notes_to_another_account_and_delete_the_first()
    {
        var page = await NewPageAsync(1280, 800);
        var first = ApiUser.NewEmail();
        await SignUpAndInAsync(page, first);
        await page.ClickAsync("aside a:text-is('New pad')");
        await page.FillAsync("#Name", "Travel");
        await page.ClickAsync("main button[type=submit]");
        await page.ClickAsync("main a:text-is('New note')");
        await page.FillAsync("#Name", "Trip to Amsterdam");
        await page.FillAsync("#Text", "Tickets, hotel");
        await page.ClickAsync("main button[type=submit]");

        await page.ClickAsync("nav a:text-is('Account settings')");
        await ShotAsync(page, "settings");
        var zip = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("main a:text-is('Markdown files (zip)')"));
        Assert.Equal($"notejam-{DateTime.UtcNow:yyyy-MM-dd}.zip", zip.SuggestedFilename);
        var json = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("main a:text-is('JSON (to import)')"));
        var export = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{json.SuggestedFilename}");
        await json.SaveAsAsync(export);

        await page.ClickAsync("nav button:text-is('Sign out')");
        var second = ApiUser.NewEmail();
        await SignUpAndInAsync(page, second);
        await page.ClickAsync("nav a:text-is('Account settings')");
        await page.SetInputFilesAsync("#Upload", export);
        await page.ClickAsync("main form[action='/settings/import/'] button[type=submit]");
        File.Delete(export);
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Notes are successfully imported: 1 note, 1 new pad");
        await Expect(page.Locator("td.note-name a")).ToHaveTextAsync(["Trip to Amsterdam"]);
        await Expect(page.Locator("aside ul.pads a")).ToHaveTextAsync(["Travel"]);

        await page.ClickAsync("nav button:text-is('Sign out')");
        await SignInAsync(page, first, "first password");
        await page.ClickAsync("nav a:text-is('Account settings')");
        await page.ClickAsync("main a:text-is('Delete my account…')");
        await Expect(page.Locator("main form p")).ToContainTextAsync("all 1 note and 1 pad");
        await page.FillAsync("#Password", "first password");
        await ShotAsync(page, "delete-account");
        await page.ClickAsync("main button:text-is('Yes, delete my account')");
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Your account has been deleted");
        await Expect(page.Locator(".account-email")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_site_reads_on_a_phone()
    {
        var page = await NewPageAsync(375, 740);
        await page.GotoAsync("/signin/");
        await ShotAsync(page, "signin-phone");

        var pageWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");

        Assert.True(pageWidth <= 375, $"The sign-in page is {pageWidth}px wide on a 375px screen.");
    }

    private async Task<IPage> NewPageAsync(int width, int height)
    {
        var context = await Chrome.NewContextAsync(new()
        {
            BaseURL = topology.App.GetEndpoint("web", "http").ToString(),
            ViewportSize = new() { Width = width, Height = height },
            TimezoneId = "Europe/Amsterdam",
        });
        return await context.NewPageAsync();
    }

    internal static async Task SignUpAndInAsync(IPage page, string email)
    {
        await page.GotoAsync("/signup/");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "first password");
        await page.FillAsync("#RepeatPassword", "first password");
        await page.ClickAsync("main button[type=submit]");
        await SignInAsync(page, email, "first password");
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/signin/");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", password);
        await page.ClickAsync("main button[type=submit]");
    }

    [GeneratedRegex(@"^Today at \d\d:\d\d$")]
    private static partial Regex TodayAt();

    [GeneratedRegex(@"/signin/$")]
    private static partial Regex SignInUrl();

    [GeneratedRegex(@"http\S+/reset-password/\?\S+")]
    private static partial Regex ResetLink();
}
