using System.Net;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// The site as deployed: behind an ingress that terminates TLS and says who the visitor is (X-Forwarded-Proto,
/// X-Forwarded-For, believed from private networks and loopback only), in front of an API that limits each visitor.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class BehindProxyTests(SiteFactory site)
{
    [Fact]
    public async Task Behind_a_TLS_proxy_pages_send_HSTS_and_every_cookie_is_secure()
    {
        using var browser = site.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signin/");
        request.Headers.Host = "notejam.example";
        request.Headers.Add("X-Forwarded-Proto", "https");

        var page = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var hsts = Assert.Single(page.Headers.GetValues("Strict-Transport-Security"));
        Assert.StartsWith("max-age=", hsts, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        var cookies = page.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; samesite=", cookie, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Over_plain_HTTP_there_is_no_HSTS()
    {
        using var browser = site.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signin/");
        request.Headers.Host = "notejam.example";

        var page = await browser.SendAsync(request);

        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task The_api_limits_each_visitor_by_the_address_the_site_forwards()
    {
        // A site that would let anything through, in front of an API replica that allows 3 wrong passwords per address.
        using var api = site.Api.AnotherReplica(b => b.UseSetting("Notejam:Limits:FailedPasswordsPerAddress:Permits", "3"));
        var web = site.StartWeb(ServerAddress.Of(api));
        using var guesser = site.Browser(web);
        guesser.Headers.Add("X-Forwarded-For", Api.BruteForceTests.NewAddress());
        using var neighbour = site.Browser(web);
        neighbour.Headers.Add("X-Forwarded-For", Api.BruteForceTests.NewAddress());
        var wrong = new Dictionary<string, string?> { ["Email"] = ApiUser.NewEmail(), ["Password"] = "guess" };

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal("Wrong email or password", (await guesser.SubmitAsync(await guesser.GetAsync("/signin/"), wrong)).Error);
        }

        var limited = await guesser.SubmitAsync(await guesser.GetAsync("/signin/"), wrong);
        var other = await neighbour.SubmitAsync(await neighbour.GetAsync("/signin/"), wrong);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("Too many attempts", limited.Title);
        Assert.Equal("Wrong email or password", other.Error);
    }
}
