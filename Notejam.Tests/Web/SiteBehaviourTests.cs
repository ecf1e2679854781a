using System.Net;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>What people notice beyond the recommended cases: order, pages, titles, dates, safety, replicas, sessions.</summary>
[Collection(SiteTests.Name)]
public sealed class SiteBehaviourTests(SiteFactory site)
{
    [Fact]
    public async Task The_arrows_switch_the_order_and_show_which_is_active()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        foreach (var name in new[] { "Banana", "cherry", "apple" })
        {
            await user.CreateNoteAsync(name);
        }

        var byDefault = await user.Browser.GetAsync("/");
        var byName = await user.Browser.GetAsync(byDefault.Document.QuerySelector("a.sort[href='/?order=name']")!.GetAttribute("href")!);
        var byNameDesc = await user.Browser.GetAsync("/?order=-name");
        var oldestFirst = await user.Browser.GetAsync("/?order=updated_at");
        var unknown = await user.Browser.GetAsync("/?order=drop%20table");

        Assert.Equal(["apple", "cherry", "Banana"], byDefault.NoteNames);
        Assert.Equal(["apple", "Banana", "cherry"], byName.NoteNames);
        Assert.Equal(["cherry", "Banana", "apple"], byNameDesc.NoteNames);
        Assert.Equal(["Banana", "cherry", "apple"], oldestFirst.NoteNames);
        Assert.Equal(byDefault.NoteNames, unknown.NoteNames);
        Assert.Equal("/?order=name", byName.Document.QuerySelector("a.sort.active")!.GetAttribute("href"));
        Assert.Equal("/?order=-updated_at", byDefault.Document.QuerySelector("a.sort.active")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Long_lists_are_paged_and_keep_their_order()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Many");
        for (var i = 1; i <= 23; i++)
        {
            await user.CreateNoteAsync($"note {i:00}", padId: pad.IdInUrl);
        }

        var first = await user.Browser.GetAsync($"/pads/{pad.IdInUrl}/?order=name");
        var next = first.Document.QuerySelector(".pagination a[rel='next']")!.GetAttribute("href")!;
        var second = await user.Browser.GetAsync(next);

        Assert.Equal("Many (23)", first.Title);
        Assert.Equal(20, first.NoteNames.Count);
        Assert.Equal($"/pads/{pad.IdInUrl}/?order=name&page=2", next);
        Assert.Equal(["note 21", "note 22", "note 23"], second.NoteNames);
        Assert.Contains("Page 2 of 2", second.Document.QuerySelector(".pagination")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dates_read_like_a_person_in_the_browsers_time_zone()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        await user.CreateNoteAsync("Now");
        user.Browser.Cookies.Add(user.Browser.Site, new Cookie("tz", "Pacific/Kiritimati"));

        var page = await user.Browser.GetAsync("/");

        var shown = page.Document.QuerySelector("td.note-date time")!;
        var expected = TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(shown.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture),
            TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati"));
        Assert.Equal($"Today at {expected:HH:mm}", shown.TextContent);
    }

    [Fact]
    public async Task What_people_type_is_shown_as_text_never_run()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        const string script = "<script>alert('x')</script>";

        var note = await user.CreateNoteAsync(script, $"{script}<img src=x onerror=alert(1)>");
        var pad = await user.CreatePadAsync(script);
        var home = await user.Browser.GetAsync("/");

        foreach (var page in new[] { note, pad, home })
        {
            Assert.DoesNotContain("<script>alert", page.Html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert", page.Html, StringComparison.Ordinal);
            Assert.Empty(page.Document.QuerySelectorAll("main script, main img"));
        }
    }

    [Fact]
    public async Task Pages_carry_security_headers_and_cookies_are_http_only()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await user.Browser.GetAsync("/");

        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
        var cookies = user.Browser.Cookies.GetCookies(user.Browser.Site);
        Assert.All(cookies.Where(c => c.Name.StartsWith("notejam", StringComparison.Ordinal)), c => Assert.True(c.HttpOnly, c.Name));
        Assert.Contains(cookies, c => c.Name == "notejam");
        Assert.Empty(page.Document.QuerySelectorAll("script:not([src]), [style], [onclick]"));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_changes_nothing()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await user.Browser.PostAsync("/pads/create/", [new("Name", "Forged")]);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("Bad request", page.Title);
        Assert.Empty((await user.Browser.GetAsync("/")).PadNames);
    }

    [Fact]
    public async Task Unknown_pages_answer_404_in_the_sites_style()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var missing = await user.Browser.GetAsync("/no/such/page/");
        var hugeId = await user.Browser.GetAsync("/notes/99999999999/");

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Page not found", missing.Title);
        Assert.Equal(HttpStatusCode.NotFound, hugeId.Status);
        Assert.NotNull(missing.Document.QuerySelector("link[rel='stylesheet'][href^='/css/notejam.css']"));
    }

    [Fact]
    public async Task The_stylesheet_and_script_are_served_by_the_site()
    {
        using var browser = site.Browser();
        var page = await browser.GetAsync("/signin/");

        foreach (var asset in page.Document.QuerySelectorAll("link[rel='stylesheet'], script[src]"))
        {
            var url = asset.GetAttribute("href") ?? asset.GetAttribute("src")!;
            Assert.StartsWith("/", url, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(url)).Status);
        }
    }

    [Fact]
    public async Task A_session_started_on_one_web_replica_continues_on_another()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var form = await user.Browser.GetAsync("/pads/create/");
        var replica = site.StartWeb(ServerAddress.Of(site.Api));
        using var there = new SiteBrowser(ServerAddress.Of(replica));
        foreach (Cookie cookie in user.Browser.Cookies.GetCookies(user.Browser.Site))
        {
            there.Cookies.Add(there.Site, new Cookie(cookie.Name, cookie.Value));
        }

        var home = await there.GetAsync("/");
        var created = await there.SubmitAsync(form, new Dictionary<string, string?> { ["Name"] = "Made on the first, posted to the second" });

        Assert.Equal(user.Email, home.SignedInAs);
        Assert.Equal("Pad is successfully created", created.Flash);
    }

    [Fact]
    public async Task A_revoked_session_is_sent_to_sign_in_with_a_return_url()
    {
        // Short-lived API tokens, so the web refreshes on every request and hears of the revocation at once.
        using var api = site.Api.AnotherReplica(b => b.UseSetting("Notejam:AccessTokenLifetime", "00:00:05"));
        var web = site.StartWeb(ServerAddress.Of(api));
        using var user = await SiteUser.SignUpAndInAsync(site, web);
        using var elsewhere = await SiteUser.SignUpAndInAsync(site, web);
        Assert.Equal(user.Email, (await user.Browser.GetAsync("/pads/create/")).SignedInAs);

        // Signing out everywhere from another device ends this session's refresh token.
        using var other = site.Browser(web);
        var signin = await other.SubmitAsync(await other.GetAsync("/signin/"), new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });
        await other.SubmitAsync(signin, new Dictionary<string, string?>(), ".account-bar form");

        var page = await user.Browser.GetAsync("/pads/create/");

        Assert.Equal("/signin/", page.Url.AbsolutePath);
        Assert.Equal("/pads/create/", page.Value("ReturnUrl"));
        Assert.Equal(elsewhere.Email, (await elsewhere.Browser.GetAsync("/")).SignedInAs);
    }

    [Fact]
    public async Task Account_forms_posted_too_often_from_one_address_answer_429()
    {
        // The API counts wrong passwords per visitor address, across replicas; the site shows its 429 page with the wait.
        using var api = site.Api.AnotherReplica(b => b.UseSetting("Notejam:Limits:FailedPasswordsPerAddress:Permits", "3"));
        var web = site.StartWeb(ServerAddress.Of(api));
        using var browser = site.Browser(web);
        browser.Headers.Add("X-Forwarded-For", Api.BruteForceTests.NewAddress());
        var form = await browser.GetAsync("/signin/");
        var wrong = new Dictionary<string, string?> { ["Email"] = ApiUser.NewEmail(), ["Password"] = "guess" };

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal("Wrong email or password", (await browser.SubmitAsync(form, wrong)).Error);
        }

        var limited = await browser.SubmitAsync(form, wrong);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("Too many attempts", limited.Title);
        Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/signin/")).Status);
    }

    [Fact]
    public async Task When_the_api_cannot_be_reached_the_site_answers_503_quickly()
    {
        var web = site.StartWeb(new Uri("http://127.0.0.1:9/"));
        using var browser = site.Browser(web);
        var started = DateTime.UtcNow;

        var page = await browser.SubmitAsync(await browser.GetAsync("/signin/"),
            new Dictionary<string, string?> { ["Email"] = ApiUser.NewEmail(), ["Password"] = "whatever" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("Notejam is resting", page.Title);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), $"took {DateTime.UtcNow - started}");
    }
}
