using System.Net;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Web;

/// <summary>
/// Every page the site maps, on GET and POST, for an anonymous visitor, the owner of the note or pad it names,
/// and another person. The routes come from the site's own endpoint data, so a new page is checked here.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class AuthorizationMatrixTests(SiteFactory site, ITestOutputHelper output)
{
    private static readonly string[] Anonymous =
        ["/signin", "/signup", "/forgot-password", "/reset-password", "/error", "/signout", "/health", "/alive", "/shared/{token}"];

    /// <summary>Endpoints that are not pages, so their URLs take no trailing slash.</summary>
    private static readonly string[] Probes = ["/health", "/alive"];

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_sign_in_from_every_page_but_the_public_ones()
    {
        var web = StartWeb();
        using var owner = await SiteUser.SignUpAndInAsync(site, web);
        var (noteId, padId, versionId) = await CreateNoteInPadAsync(owner);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ServerAddress.Of(web) };
        var failures = new List<string>();

        foreach (var route in Routes(web))
        {
            var url = Concrete(route, noteId, padId, versionId);
            using var request = new HttpRequestMessage(new HttpMethod(route.Verb), url);
            if (route.Verb == "POST")
            {
                request.Content = new FormUrlEncodedContent([new("Name", "Anonymous")]);
            }

            using var response = await anonymous.SendAsync(request);
            var status = (int)response.StatusCode;
            var location = response.Headers.Location is { } to ? new Uri(anonymous.BaseAddress!, to).PathAndQuery : "";
            var toSignIn = status == 302 && location.StartsWith("/signin/?ReturnUrl=", StringComparison.Ordinal);
            var wrong = Anonymous.Contains(route.Pattern)
                ? status >= 500 || toSignIn ? "expected a public answer" : null
                : toSignIn ? null : "expected 302 to /signin/?ReturnUrl=...";
            if (wrong is not null)
            {
                failures.Add($"{route} ({url}) anonymously: {wrong}, got {status} {location}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync($"/notes/{noteId}/")).Status);
    }

    /// <summary>
    /// Security review, finding 1: "a notejam cookie kept from before POST /signout/ still opens / and the export". The
    /// attacker's try on every page: copy the cookie, let its owner sign out (or change the password elsewhere), replay it.
    /// </summary>
    [Theory]
    [InlineData("sign-out")]
    [InlineData("password change elsewhere")]
    public async Task A_cookie_kept_from_before_the_session_ended_opens_no_page(string ending)
    {
        var web = StartWeb();
        using var owner = await SiteUser.SignUpAndInAsync(site, web);
        var (noteId, padId, versionId) = await CreateNoteInPadAsync(owner);
        var kept = owner.Browser.Cookies.GetCookieHeader(owner.Browser.Site);
        if (ending == "sign-out")
        {
            await owner.Browser.SubmitAsync(await owner.Browser.GetAsync("/signout/"), new Dictionary<string, string?>());
        }
        else
        {
            using var elsewhere = site.Browser(web);
            var signedIn = await elsewhere.SubmitAsync(await elsewhere.GetAsync("/signin/"),
                new Dictionary<string, string?> { ["Email"] = owner.Email, ["Password"] = owner.Password });
            var changed = await elsewhere.SubmitAsync(await elsewhere.GetAsync("/settings/"), new Dictionary<string, string?>
            {
                ["OldPassword"] = owner.Password, ["NewPassword"] = "changed elsewhere", ["RepeatNewPassword"] = "changed elsewhere",
            });
            Assert.Equal(owner.Email, signedIn.SignedInAs);
            Assert.Equal("Password is successfully changed", changed.Flash);
            // The session that changed it continues.
            Assert.Equal(owner.Email, (await elsewhere.GetAsync("/")).SignedInAs);
        }

        using var replay = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = ServerAddress.Of(web) };
        var failures = new List<string>();
        var pages = Routes(web).Where(route => route.Verb == "GET" && !Anonymous.Contains(route.Pattern)).ToList();
        Assert.Contains(pages, route => route.Pattern.Contains("export", StringComparison.Ordinal));
        foreach (var route in pages)
        {
            var url = Concrete(route, noteId, padId, versionId);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Cookie", kept);
            using var response = await replay.SendAsync(request);
            var location = response.Headers.Location?.OriginalString ?? "";
            if (response.StatusCode != HttpStatusCode.Redirect || !location.StartsWith("/signin/", StringComparison.Ordinal))
            {
                failures.Add($"{route} ({url}) with a cookie kept from before the {ending}: expected 302 to /signin/, got {(int)response.StatusCode} {location}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Another_persons_note_and_pad_are_not_found_on_any_page_and_stay_unchanged()
    {
        var web = StartWeb();
        using var owner = await SiteUser.SignUpAndInAsync(site, web);
        using var other = await SiteUser.SignUpAndInAsync(site, web);
        var (noteId, padId, versionId) = await CreateNoteInPadAsync(owner);
        var before = await SnapshotAsync(owner, noteId, padId);
        var tokenPage = await other.Browser.GetAsync("/notes/create/");
        var owned = Routes(web).Where(route => route.IsOwned).ToList();
        Assert.True(owned.Count >= 6, $"Only {owned.Count} pages of a note or pad: {string.Join(", ", owned)}");
        var failures = new List<string>();

        foreach (var route in owned)
        {
            var url = Concrete(route, noteId, padId, versionId);
            var page = route.Verb == "POST"
                ? await other.Browser.PostAsync(url, NotePagesTests.Form(tokenPage, ("Name", "Mine"), ("Text", "Mine"), ("Version", "1")))
                : await other.Browser.GetAsync(url);
            if (page.Status != HttpStatusCode.NotFound)
            {
                failures.Add($"{route} ({url}) as another person: expected 404, got {(int)page.Status} at {page.Url}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(before, await SnapshotAsync(owner, noteId, padId));
    }

    [Fact]
    public async Task The_owner_gets_every_page()
    {
        var web = StartWeb();
        using var owner = await SiteUser.SignUpAndInAsync(site, web);
        var (noteId, padId, versionId) = await CreateNoteInPadAsync(owner);
        var failures = new List<string>();

        foreach (var route in Routes(web).Where(route => route.Verb == "GET"))
        {
            var url = Concrete(route, noteId, padId, versionId);
            var page = await owner.Browser.GetAsync(url);
            // The error page without a code, and a share link that opens nothing (RouteVerb.Url makes one up), are 404s.
            var expected = route.Pattern is "/error" or "/shared/{token}" ? HttpStatusCode.NotFound : HttpStatusCode.OK;
            if (page.Status != expected)
            {
                failures.Add($"{route} ({url}) as the owner: expected {(int)expected}, got {(int)page.Status} at {page.Url}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>A replica of its own, so these posts meet a site no other test has changed.</summary>
    private WebFactory StartWeb() => site.StartWeb(ServerAddress.Of(site.Api));

    private List<RouteVerb> Routes(WebFactory web)
    {
        var routes = RouteTable.Of(web.Services, "GET", "POST").ToList();
        output.WriteLine($"{routes.Count} (route, verb) pairs: {string.Join(", ", routes)}");
        Assert.True(routes.Count >= 14, $"Only {routes.Count} site routes found: {string.Join(", ", routes)}");
        return routes;
    }

    // Pages are linked with a trailing slash. The error page without a code is the 500 page; with one it is that page.
    private static string Concrete(RouteVerb route, int noteId, int padId, long versionId) =>
        route.Url(noteId, padId, versionId: versionId).TrimEnd('/')
        + (Probes.Contains(route.Pattern) ? "" : "/")
        + (route.Pattern == "/error" ? "?code=404" : "");

    /// <summary>The owner's note in a pad, edited once through the site so that it has an earlier version.</summary>
    private static async Task<(int NoteId, int PadId, long VersionId)> CreateNoteInPadAsync(SiteUser owner)
    {
        var pad = await owner.CreatePadAsync("Owned pad");
        var note = await owner.CreateNoteAsync("Owned note", "Owned text", pad.IdInUrl);
        await owner.Browser.SubmitAsync(await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/edit/"),
            new Dictionary<string, string?> { ["Text"] = "Owned text, edited" });
        var history = await owner.Browser.GetAsync($"/notes/{note.IdInUrl}/history/");
        var link = history.Document.QuerySelector("table.history a")!.GetAttribute("href")!;
        return (note.IdInUrl, pad.IdInUrl, long.Parse(link.TrimEnd('/').Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<string> SnapshotAsync(SiteUser owner, int noteId, int padId) =>
        (await owner.Browser.GetAsync($"/notes/{noteId}/")).Document.QuerySelector("main")!.TextContent
        + (await owner.Browser.GetAsync($"/notes/{noteId}/edit/")).Value("Version")
        + (await owner.Browser.GetAsync($"/pads/{padId}/")).Document.QuerySelector("main")!.TextContent;
}
