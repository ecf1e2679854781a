using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.Infrastructure;
using Notejam.Web.Rendering;

namespace Notejam.Tests.Web;

/// <summary>
/// The web sends again the HTML it rendered for a person while the API confirms (304) that their data has not changed
/// (RenderedPages). What a kept page must never be: another browser's forms, a flash message shown twice or missed, a
/// date in another time zone, or older than a write. (ReadCacheTests holds the other replicas, the other person and
/// the ended session to the same pages.)
/// </summary>
[Collection(SiteTests.Name)]
public sealed class RenderedPagesTests(SiteFactory site)
{
    private RenderedPages Pages => site.Web.Services.GetRequiredService<RenderedPages>();

    [Fact]
    public async Task An_unchanged_page_is_sent_again_as_it_was_rendered_and_a_write_renders_it_anew()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        var padId = (await owner.CreatePadAsync("Kept")).IdInUrl;
        var noteId = (await owner.CreateNoteAsync("First", padId: padId)).IdInUrl;

        foreach (var url in new[] { "/", $"/pads/{padId}/", $"/notes/{noteId}/", "/?order=name" })
        {
            var rendered = await owner.Browser.GetAsync(url);
            var sentBefore = Pages.SentAgain;
            var again = await owner.Browser.GetAsync(url);

            Assert.Equal(HttpStatusCode.OK, again.Status);
            Assert.Equal(rendered.Html, again.Html);
            Assert.True(Pages.SentAgain > sentBefore, $"{url} was rendered again");
        }

        await owner.CreateNoteAsync("Second", padId: padId);
        Assert.Equal(["First", "Second"], (await owner.Browser.GetAsync("/")).NoteNames.Order());
        Assert.Equal(["First", "Second"], (await owner.Browser.GetAsync($"/pads/{padId}/")).NoteNames.Order());
    }

    [Fact]
    public async Task A_flash_message_is_shown_once_and_never_kept()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        var noteId = (await owner.CreateNoteAsync("Flash")).IdInUrl;
        var url = $"/notes/{noteId}/";
        await owner.Browser.GetAsync(url);
        await owner.Browser.GetAsync(url);

        var edited = await owner.Browser.SubmitAsync(await owner.Browser.GetAsync($"/notes/{noteId}/edit/"),
            new Dictionary<string, string?> { ["Name"] = "Flash, edited" });

        Assert.NotNull(edited.Flash);
        var next = await owner.Browser.GetAsync(url);
        Assert.Null(next.Flash);
        Assert.Contains("Flash, edited", next.Html, StringComparison.Ordinal);
        Assert.Null((await owner.Browser.GetAsync(url)).Flash);
    }

    [Fact]
    public async Task Each_browser_gets_its_own_forms_and_a_kept_form_still_works()
    {
        using var first = await SiteUser.SignUpAndInAsync(site);
        using var second = new SiteUser(site.Browser(), first.Email, first.Password);
        await second.Browser.SubmitAsync(await second.Browser.GetAsync("/signin/"),
            new Dictionary<string, string?> { ["Email"] = first.Email, ["Password"] = first.Password });
        await first.CreateNoteAsync("Two browsers");

        foreach (var person in new[] { first, second })
        {
            await person.Browser.GetAsync("/");
        }

        var firstKept = await first.Browser.GetAsync("/");
        var secondKept = await second.Browser.GetAsync("/");

        Assert.NotEqual(Token(firstKept), Token(secondKept));
        // The sign-out form of a kept page is accepted (a stale or another browser's token would be a 400).
        var signedOut = await first.Browser.SubmitAsync(firstKept, new Dictionary<string, string?>(), "form[action='/signout/']");
        Assert.Equal(HttpStatusCode.OK, signedOut.Status);
        Assert.Null(signedOut.SignedInAs);
    }

    [Fact]
    public async Task Dates_follow_the_browsers_time_zone_not_the_kept_page()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        await owner.CreateNoteAsync("Time zones");
        var utc = await owner.Browser.GetAsync("/");
        await owner.Browser.GetAsync("/");

        // Fourteen hours from UTC and from every zone a CI machine uses: the date cell must read differently.
        owner.Browser.Cookies.Add(owner.Browser.Site, new Cookie(PersonClock.TimeZoneCookie, "Pacific/Kiritimati"));
        var kiritimati = await owner.Browser.GetAsync("/");

        Assert.NotEqual(DateCells(utc), DateCells(kiritimati));
    }

    private static string? Token(SitePage page) =>
        page.Document.QuerySelector("form[action='/signout/'] input[name='__RequestVerificationToken']")?.GetAttribute("value");

    private static string DateCells(SitePage page) =>
        string.Join("|", page.Document.QuerySelectorAll("td.note-date").Select(td => td.TextContent.Trim()));
}
