using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// Password guessing, sign-up floods and reset-mail floods against the API itself, each on its own replica with
/// small limits. Clients are told apart by X-Forwarded-For, which the API believes from trusted networks only
/// (loopback among them: here the test plays the web or an ingress).
/// </summary>
[Collection(ApiTests.Name)]
public sealed class BruteForceTests(ApiFactory api)
{
    private const string Attacker = "203.0.113.7";
    private const string Bystander = "198.51.100.20";

    [Fact]
    public async Task Guessing_locks_the_account_then_the_address_gets_429_while_another_person_signs_in()
    {
        using var victim = await ApiUser.CreateAsync(api);
        using var bystander = await ApiUser.CreateAsync(api);
        using var replica = Replica("Notejam:AccountPostsPerMinute", "8");
        using var attacker = Client(replica, Attacker);
        using var someoneElse = Client(replica, Bystander);

        var answers = new List<HttpResponseMessage>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            answers.Add(await attacker.PostAsJsonAsync("/users/signin", new { email = victim.Email, password = $"guess {attempt}" }));
            if (attempt == 6)
            {
                // Meanwhile, from elsewhere: another account is not affected by the lockout or the attacker's limit.
                var signedIn = await someoneElse.PostAsJsonAsync("/users/signin", new { email = bystander.Email, password = bystander.Password });
                Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), answers.Take(4).Select(a => a.StatusCode));
        // The fifth wrong password locks the account: 429 without Retry-After (it is the account that waits).
        Assert.All(answers.Skip(4).Take(4), a =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode);
            Assert.Null(a.Headers.RetryAfter);
        });
        // Past 8 posts a minute the address itself is refused, with problem details and Retry-After.
        foreach (var refused in answers.Skip(8))
        {
            var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("from this address", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        // The right password does not open a locked account either, from anywhere.
        var rightPassword = await someoneElse.PostAsJsonAsync("/users/signin", new { email = victim.Email, password = victim.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);
    }

    [Fact]
    public async Task A_sign_up_flood_from_one_address_gets_429_and_creates_nothing_more()
    {
        using var replica = Replica("Notejam:AccountPostsPerMinute", "3");
        using var flooder = Client(replica, Attacker);
        using var someoneElse = Client(replica, Bystander);

        var emails = Enumerable.Range(0, 6).Select(_ => ApiUser.NewEmail()).ToList();
        var statuses = new List<HttpStatusCode>();
        foreach (var email in emails)
        {
            statuses.Add((await flooder.PostAsJsonAsync("/users/register",
                new { email, password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword })).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Created, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        // The refused ones do not exist: they can be registered from elsewhere.
        var later = await someoneElse.PostAsJsonAsync("/users/register",
            new { email = emails[^1], password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword });
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Fact]
    public async Task Reset_mails_to_one_mailbox_stop_at_the_hourly_limit_whoever_asks()
    {
        using var victim = await ApiUser.CreateAsync(api);
        using var replica = Replica("Notejam:ResetMailsPerHour", "2");

        var statuses = new List<HttpStatusCode>();
        for (var asker = 1; asker <= 5; asker++)
        {
            // A different address each time: the per-address limit does not apply, the per-mailbox one does.
            using var client = Client(replica, $"198.51.100.{asker}");
            statuses.Add((await client.PostAsJsonAsync("/users/forgot-password", new { email = victim.Email.ToUpperInvariant() })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.Equal(2, api.Mail.ResetLinksTo(victim.Email).Count);
        using var other = await ApiUser.CreateAsync(api);
        using var someoneElse = Client(replica, Bystander);
        Assert.Equal(HttpStatusCode.Accepted, (await someoneElse.PostAsJsonAsync("/users/forgot-password", new { email = other.Email })).StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_untrusted_network_is_ignored()
    {
        // Only 192.0.2.0/24 may forward addresses, so this loopback client cannot pretend to be many people.
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting("Notejam:AccountPostsPerMinute", "2");
            web.UseSetting("Notejam:TrustedProxyNetworks", "192.0.2.0/24");
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 3; i++)
        {
            using var client = Client(replica, $"198.51.100.{i}");
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    private WebApplicationFactory<NotejamDb> Replica(string key, string value) =>
        api.AnotherReplica(web => web.UseSetting(key, value));

    private static HttpClient Client(WebApplicationFactory<NotejamDb> replica, string forwardedFor)
    {
        var client = replica.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
