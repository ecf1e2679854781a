using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// Security review: <c>GET /signin/?ReturnUrl=/%C3%A9</c> and a sign-in with a non-ASCII return URL were 500s. Return
/// URLs of any characters work; those on this site are followed, percent-encoded; any other goes to /.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class ReturnUrlTests(SiteFactory site)
{
    private static readonly string Long = "/" + new string('a', 9_999);

    /// <summary>A return URL as the sign-in form carries it, and the Location the site answers with.</summary>
    public static TheoryData<string, string> Cases => new()
    {
        { "/%C3%A9", "/%C3%A9" },
        { "/é", "/%C3%A9" },
        { "/notes/1/?q=日本", "/notes/1/?q=%E6%97%A5%E6%9C%AC" },
        { "/search/?q=a b\"<>", "/search/?q=a%20b%22%3C%3E" },
        { "/notes/create/", "/notes/create/" },
        { "//evil.example", "/" },
        { "/\\evil.example", "/" },
        { "%2F%2Fevil", "/" },
        { "https://evil.example/", "/" },
        { "/\t/evil.example", "/" },
        { "/a\r\nSet-Cookie: notejam=stolen", "/" },
        { "/\u0000", "/" },
        { "/\u007f", "/" },
        { Long, "/" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Return_urls_of_any_characters_work_and_never_leave_the_site(string returnUrl, string expected)
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();
        var signin = await browser.GetAsync("/signin/");
        using var http = NoRedirects(browser);

        // Signing in with the return URL in the form.
        using var posted = await http.PostAsync("/signin/", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", signin.Document.QuerySelector("main form input[name='__RequestVerificationToken']")!.GetAttribute("value")!),
            new("Email", user.Email), new("Password", user.Password), new("ReturnUrl", returnUrl),
        ]));
        await AssertSentToAsync(expected, posted);

        // Already signed in, the sign-in page sends the person on at once (a URL too long for a request line is left out).
        if (returnUrl.Length < 4_000)
        {
            using var signedIn = NoRedirects(user.Browser);
            using var again = await signedIn.GetAsync($"/signin/?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
            await AssertSentToAsync(expected, again);
        }
    }

    [Fact]
    public async Task An_encoded_return_url_shows_the_sign_in_page()
    {
        using var browser = site.Browser();

        var signin = await browser.GetAsync("/signin/?ReturnUrl=/%C3%A9");

        Assert.Equal(HttpStatusCode.OK, signin.Status);
        Assert.Equal("/é", signin.Value("ReturnUrl"));
    }

    [Fact]
    public async Task A_non_ascii_page_asked_anonymously_is_shown_after_sign_in()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var signin = await browser.GetAsync("/search/?q=日本");
        Assert.Equal("/signin/", signin.Url.AbsolutePath);
        var back = await browser.SubmitAsync(signin, new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });

        Assert.Equal(HttpStatusCode.OK, back.Status);
        Assert.Equal("/search/", back.Url.AbsolutePath);
        Assert.Equal("日本", back.Value("q"));
    }

    [Fact]
    public void Return_urls_that_no_header_can_carry_are_none()
    {
        // Lone surrogates cannot reach the site over HTTP (they have no UTF-8), so they are checked here.
        foreach (var returnUrl in new[] { "/\ud800", "/a\udc00b", "", null })
        {
            Assert.Null(Notejam.Web.Account.ReturnUrls.ToLocation(returnUrl));
        }
    }

    /// <summary>Redirected to <paramref name="expected"/>; a URL that is no return URL may also be refused outright (NUL in a form is a 400).</summary>
    private static async Task AssertSentToAsync(string expected, HttpResponseMessage response)
    {
        if (expected == "/" && response.StatusCode == HttpStatusCode.BadRequest)
        {
            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.Found, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(expected, response.Headers.GetValues("Location").Single());
    }

    private static HttpClient NoRedirects(SiteBrowser browser) =>
        new(new HttpClientHandler { CookieContainer = browser.Cookies, AllowAutoRedirect = false }) { BaseAddress = browser.Site };
}
