using System.Diagnostics;
using System.Net;
using Aspire.Hosting.Testing;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.AppHost;

/// <summary>
/// Security review, "limits that hit attackers, not people": the 11th sign-up or sign-in a minute from one address was a
/// 429 even on a developer's own machine, so an end-to-end suite against <c>dotnet run --project Notejam.AppHost</c>
/// failed after ten accounts. Mastodon and GitLab exempt loopback from the same kind of throttle; so does Development
/// here. This is that black-box suite: 125 account posts (about a minute's worth on this machine; more than 20 sign-ups and 10 wrong passwords) from 127.0.0.1 through the site's forms,
/// wrong passwords and reset requests among them, with every limit as shipped (the fixture changes none).
/// </summary>
[Trait(TestLayers.Name, TestLayers.AppHost)]
[Collection(AppHostTests.Name)]
public sealed class DeveloperLimitsTests(AppHostFixture topology, ITestOutputHelper output)
{
    [Fact]
    public async Task A_developers_125_account_posts_from_localhost_pass_every_shipped_limit()
    {
        using var web = topology.App.CreateHttpClient("web");
        var watch = Stopwatch.StartNew();
        var posts = 0;
        var people = new List<SiteUser>();
        for (var i = 0; i < 25; i++)
        {
            // Sign-up and sign-in: two posts each.
            people.Add(await SiteUser.SignUpAndInAsync(new SiteBrowser(web.BaseAddress!)));
            posts += 2;
        }

        foreach (var person in people)
        {
            using var browser = new SiteBrowser(web.BaseAddress!);
            var signin = await browser.GetAsync("/signin/");
            var wrong = await browser.SubmitAsync(signin, new Dictionary<string, string?> { ["Email"] = person.Email, ["Password"] = "a typo" });
            var forgot = await browser.SubmitAsync(await browser.GetAsync("/forgot-password/"), new Dictionary<string, string?> { ["Email"] = person.Email });
            var right = await browser.SubmitAsync(wrong, new Dictionary<string, string?> { ["Email"] = person.Email, ["Password"] = person.Password });
            posts += 3;

            Assert.Equal("Wrong email or password", wrong.Error);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, forgot.Status);
            Assert.Equal(person.Email, right.SignedInAs);
        }

        output.WriteLine($"{posts} account posts in {watch.Elapsed.TotalSeconds:F1} s from 127.0.0.1, none refused");
        // More than each shipped limit allows one address: 20 sign-ups an hour, 10 wrong passwords and 10 reset requests.
        Assert.Equal(125, posts);
        people.ForEach(p => p.Dispose());
    }
}
