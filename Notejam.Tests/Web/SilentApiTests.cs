using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>An API endpoint that takes the connection and never answers, as a proxy with no live backend can.</summary>
[Collection(SiteTests.Name)]
public sealed class SilentApiTests(SiteFactory site)
{
    /// <summary>
    /// The read budget (Notejam:ApiReadBudget, 1.8 s in production so that the page comes within 2 s) bounds the wait.
    /// Set to 1 s here, on a replica warmed up first: 0.2 s of margin was crossed once on a loaded machine (2.049 s),
    /// 1 s is not; the page must take at least the budget (the budget, not something else, answered) and less than 2 s.
    /// </summary>
    [Fact]
    public async Task A_page_read_gets_the_503_page_within_2_s_when_the_api_never_answers()
    {
        var budget = TimeSpan.FromSeconds(1);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // The listener stopped at the end of the test.
            }
        });
        using var person = await SiteUser.SignUpAndInAsync(site);
        var web = site.StartWeb(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"),
            builder => builder.UseSetting("Notejam:ApiReadBudget", budget.ToString()));
        using var browser = site.Browser(web);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/signin/")).Status); // warmed up, no API call
        foreach (Cookie cookie in person.Browser.Cookies.GetCookies(person.Browser.Site))
        {
            browser.Cookies.Add(browser.Site, new Cookie(cookie.Name, cookie.Value));
        }

        var took = Stopwatch.StartNew();
        var page = await browser.GetAsync("/");
        took.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("Notejam is resting", page.Title);
        Assert.True(took.Elapsed >= budget - TimeSpan.FromMilliseconds(50) && took.Elapsed < TimeSpan.FromSeconds(2), $"took {took.Elapsed}");
        Assert.NotEmpty(held);
        silent.Stop();
        held.ForEach(c => c.Dispose());
    }
}
