using System.Net;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Web;

/// <summary>
/// Security review: exports and authenticated answers carried no Cache-Control. Every page the site maps, from its
/// own endpoint data, on GET and POST, is asked by a signed-in person; static files keep their caching.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class CacheControlPagesTests(SiteFactory site, ITestOutputHelper output)
{
    /// <summary>Endpoints that are not pages, so their URLs take no trailing slash.</summary>
    private static readonly string[] Probes = ["/health", "/alive"];

    [Fact]
    public async Task Exports_and_authenticated_answers_carry_no_store()
    {
        using var person = await SiteUser.SignUpAndInAsync(site);
        var token = Token(await person.Browser.GetAsync("/notes/create/"));
        using var http = Client(person);
        var routes = RouteTable.Of(site.Web.Services, "GET", "POST")
            // Signing out ends the session: last, so every other page is asked while signed in.
            .OrderBy(route => route.Pattern == "/signout" && route.Verb == "POST")
            .ToList();
        Assert.True(routes.Count >= 14, $"Only {routes.Count} site routes found: {string.Join(", ", routes)}");
        var failures = new List<string>();

        foreach (var route in routes)
        {
            var pad = await person.CreatePadAsync("Cached?");
            var note = await person.CreateNoteAsync("Cached?", "Private", pad.IdInUrl);
            var url = route.Url(note.IdInUrl, pad.IdInUrl).TrimEnd('/')
                + (Probes.Contains(route.Pattern) ? "" : "/")
                + (route.Pattern == "/error" ? "?code=404" : "");
            using var request = new HttpRequestMessage(new HttpMethod(route.Verb), url);
            if (route.Verb == "POST")
            {
                request.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("Name", "Posted")]);
            }

            using var response = await http.SendAsync(request);
            output.WriteLine($"{route} ({url}): {(int)response.StatusCode} Cache-Control: {response.Headers.CacheControl}");
            if (response.Headers.CacheControl?.NoStore != true)
            {
                failures.Add($"{route} ({url}): {(int)response.StatusCode} without no-store ({response.Headers.CacheControl})");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("json")]
    public async Task Exports_carry_no_store(string format)
    {
        using var person = await SiteUser.SignUpAndInAsync(site);
        await person.CreateNoteAsync("Exported", "Private");
        using var http = Client(person);

        using var download = await http.GetAsync($"/settings/export/?format={format}");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.True(download.Headers.CacheControl?.NoStore, $"Cache-Control {download.Headers.CacheControl}");
    }

    [Fact]
    public async Task Static_files_keep_their_caching_for_everyone()
    {
        using var person = await SiteUser.SignUpAndInAsync(site);
        using var signedIn = Client(person);
        using var anonymous = new HttpClient { BaseAddress = ServerAddress.Of(site.Web) };

        foreach (var http in new[] { signedIn, anonymous })
        {
            using var css = await http.GetAsync("/css/notejam.css");
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.NotEqual(true, css.Headers.CacheControl?.NoStore);
            Assert.NotNull(css.Headers.ETag);
        }
    }

    private static HttpClient Client(SiteUser person) =>
        new(new HttpClientHandler { CookieContainer = person.Browser.Cookies, AllowAutoRedirect = false }) { BaseAddress = person.Browser.Site };

    private static string Token(SitePage page) =>
        page.Document.QuerySelector("main form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
}
