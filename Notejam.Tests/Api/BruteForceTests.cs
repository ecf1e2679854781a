using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// Password guessing, sign-up floods and reset-mail floods against the API itself, each on its own replica with small
/// limits. Clients are told apart by X-Forwarded-For, which the API believes from its named proxies only (here loopback:
/// the test plays the web or an ingress). The counters live in PostgreSQL, shared by every replica of the database, so
/// each test's clients have addresses of their own.
/// Security review, finding 2: "The password can be guessed through the change-password form"; finding 5: "limits
/// counted per replica"; "limits that hit attackers, not people".
/// </summary>
[Collection(ApiTests.Name)]
public sealed class BruteForceTests(ApiFactory api)
{
    private const string FailedPasswords = "Notejam:Limits:FailedPasswordsPerAddress:Permits";

    [Fact]
    public async Task Guessing_locks_the_account_then_the_address_gets_429_while_another_person_signs_in()
    {
        using var victim = await ApiUser.CreateAsync(api);
        using var bystander = await ApiUser.CreateAsync(api);
        using var replica = Replica(FailedPasswords, "8");
        using var attacker = Client(replica, NewAddress());
        using var someoneElse = Client(replica, NewAddress());

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
        // Past 8 failures the address itself is refused, with problem details and Retry-After.
        foreach (var refused in answers.Skip(8))
        {
            var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
            Assert.Contains("from this address", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        // The right password does not open a locked account either, from anywhere.
        var rightPassword = await someoneElse.PostAsJsonAsync("/users/signin", new { email = victim.Email, password = victim.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);
    }

    [Fact]
    public async Task Successful_sign_ins_are_not_counted_against_the_address()
    {
        // An office behind one address, everyone signing in in the morning: people, not an attacker.
        using var replica = Replica(FailedPasswords, "3");
        using var office = Client(replica, NewAddress());
        var people = new List<ApiUser>();
        for (var i = 0; i < 5; i++)
        {
            people.Add(await ApiUser.CreateAsync(api));
        }

        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 4; round++)
        {
            foreach (var person in people)
            {
                statuses.Add((await office.PostAsJsonAsync("/users/signin", new { email = person.Email, password = person.Password })).StatusCode);
            }
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        people.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task The_password_cannot_be_guessed_through_change_password()
    {
        // The review's try: 40 wrong old passwords with a kept token, then the right one. Now the fifth wrong one locks the
        // account, exactly as at sign-in, and the right one no longer opens it.
        using var replica = Replica(FailedPasswords, "100");
        using var victim = await ApiUser.CreateAsync(api);
        using var thief = Client(replica, NewAddress());
        thief.DefaultRequestHeaders.Authorization = victim.Http.DefaultRequestHeaders.Authorization;

        var statuses = new List<HttpStatusCode>();
        for (var guess = 0; guess < 40; guess++)
        {
            statuses.Add((await thief.PostAsJsonAsync("/users/me/password",
                new { oldPassword = $"guess {guess}", newPassword = "taken over!", repeatNewPassword = "taken over!" })).StatusCode);
        }

        var right = await thief.PostAsJsonAsync("/users/me/password",
            new { oldPassword = victim.Password, newPassword = "taken over!", repeatNewPassword = "taken over!" });

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 4), statuses.Take(4));
        Assert.All(statuses.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        // And the password is still the owner's.
        await (await api.CreateClient().PostAsJsonAsync("/users/signin", new { email = victim.Email, password = "taken over!" }))
            .ProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Wrong_passwords_at_change_password_and_delete_account_count_towards_the_address_limit()
    {
        using var replica = Replica(FailedPasswords, "3");
        var address = NewAddress();
        var victims = new List<ApiUser>();
        for (var i = 0; i < 3; i++)
        {
            victims.Add(await ApiUser.CreateAsync(api));
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var victim in victims)
        {
            using var thief = Client(replica, address);
            thief.DefaultRequestHeaders.Authorization = victim.Http.DefaultRequestHeaders.Authorization;
            statuses.Add((await thief.PostAsJsonAsync("/users/me/password",
                new { oldPassword = "guess", newPassword = "taken over!", repeatNewPassword = "taken over!" })).StatusCode);
            using var delete = new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { password = "guess" }) };
            statuses.Add((await thief.SendAsync(delete)).StatusCode);
        }

        using var signIn = Client(replica, address);
        var afterwards = await signIn.PostAsJsonAsync("/users/signin", new { email = victims[0].Email, password = "guess" });

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.NotNull(afterwards.Headers.RetryAfter);
        victims.ForEach(v => v.Dispose());
    }

    [Fact]
    public async Task Failures_are_counted_across_replicas()
    {
        // Two replicas of one database: an attacker spreading guesses over them meets one limit, not one per replica.
        using var first = Replica(FailedPasswords, "4");
        using var second = Replica(FailedPasswords, "4");
        var address = NewAddress();
        using var viaFirst = Client(first, address);
        using var viaSecond = Client(second, address);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var client = attempt % 2 == 0 ? viaFirst : viaSecond;
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_sign_up_flood_from_one_address_gets_429_and_creates_nothing_more()
    {
        using var replica = Replica("Notejam:Limits:SignUpsPerAddress:Permits", "3");
        using var flooder = Client(replica, NewAddress());
        using var someoneElse = Client(replica, NewAddress());

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
    public async Task Listing_accounts_through_sign_up_is_slowed_by_the_same_limit()
    {
        // Taken emails are still rejected (the Notejam spec), and each try counts as a sign-up.
        using var replica = Replica("Notejam:Limits:SignUpsPerAddress:Permits", "2");
        using var lister = Client(replica, NewAddress());
        using var known = await ApiUser.CreateAsync(api);

        var statuses = new List<HttpStatusCode>();
        foreach (var email in new[] { known.Email, ApiUser.NewEmail(), known.Email })
        {
            statuses.Add((await lister.PostAsJsonAsync("/users/register",
                new { email, password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Reset_mails_to_one_mailbox_stop_at_the_hourly_limit_whoever_asks()
    {
        using var victim = await ApiUser.CreateAsync(api);
        using var replica = Replica("Notejam:Limits:ResetMailsPerMailbox:Permits", "2");

        var statuses = new List<HttpStatusCode>();
        for (var asker = 1; asker <= 5; asker++)
        {
            // A different address each time: the per-address limit does not apply, the per-mailbox one does.
            using var client = Client(replica, NewAddress());
            statuses.Add((await client.PostAsJsonAsync("/users/forgot-password", new { email = victim.Email.ToUpperInvariant() })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.Equal(2, api.Mail.ResetLinksTo(victim.Email).Count);
        using var other = await ApiUser.CreateAsync(api);
        using var someoneElse = Client(replica, NewAddress());
        Assert.Equal(HttpStatusCode.Accepted, (await someoneElse.PostAsJsonAsync("/users/forgot-password", new { email = other.Email })).StatusCode);
    }

    [Fact]
    public async Task Reset_requests_from_one_address_stop_at_its_limit_whichever_mailbox()
    {
        using var replica = Replica("Notejam:Limits:ResetRequestsPerAddress:Permits", "3");
        using var asker = Client(replica, NewAddress());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await asker.PostAsJsonAsync("/users/forgot-password", new { email = ApiUser.NewEmail() })).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Accepted, 3), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_untrusted_network_is_ignored()
    {
        // Only 192.0.2.0/24 may forward addresses. Were the header believed, this loopback client (exempt here) would be
        // the forged 198.51.100.x, counted, and refused at the third guess.
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting(FailedPasswords, "2");
            web.UseSetting("Notejam:TrustedProxyNetworks", "192.0.2.0/24");
        });
        var forged = NewAddress();

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 4; i++)
        {
            using var client = Client(replica, forged);
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }

    [Fact]
    public async Task With_no_proxy_named_X_Forwarded_For_is_never_believed()
    {
        // Found by an attacker's try on the production-shaped api: with no trusted network configured, ASP.NET Core's
        // forwarded-headers middleware believes everyone (both lists empty). A fresh forged address per guess must not
        // buy a fresh allowance: the loopback connection itself is counted (not exempt here; another test may have counted
        // it already), so the third guess at the latest is refused. Believed, every guess would be a first one (401).
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting(FailedPasswords, "2");
            web.UseSetting("Notejam:TrustedProxyNetworks", "");
            web.UseSetting("Notejam:Limits:ExemptLoopback", "false");
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var client = Client(replica, NewAddress());
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Only_the_last_forwarded_hop_counts_so_a_client_cannot_pick_its_address()
    {
        // "X-Forwarded-For: <anything>, <address the proxy saw>": a client that writes a fresh first entry each time is
        // still the address its proxy saw.
        using var replica = Replica(FailedPasswords, "2");
        var seen = NewAddress();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var client = Client(replica, $"{NewAddress()}, {seen}");
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Behind_two_trusted_hops_the_visitor_counts_not_the_web_replica()
    {
        // Container Apps: the web forwards the visitor, the internal ingress appends the web replica's address.
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting(FailedPasswords, "2");
            web.UseSetting("Notejam:TrustedProxyNetworks", "127.0.0.0/8,10.0.0.0/8");
            web.UseSetting("Notejam:TrustedProxyHops", "2");
        });
        var visitor = NewAddress();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var client = Client(replica, $"{visitor}, 10.1.0.{i + 1}");
            statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Loopback_is_exempt_in_Development_and_counted_in_Production_by_default()
    {
        // Mastodon and GitLab exempt loopback from the same kind of throttle; a sidecar proxy on loopback in production
        // would exempt everyone, so there it is counted unless configured.
        using var development = api.AnotherReplica(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("Notejam:Limits:ExemptLoopback", "");
            web.UseSetting("Notejam:TrustedProxyNetworks", "");
            web.UseSetting(FailedPasswords, "2");
        });
        using var production = api.AnotherReplica(web =>
        {
            web.UseSetting("Notejam:Limits:ExemptLoopback", "");
            web.UseSetting("Notejam:TrustedProxyNetworks", "");
            web.UseSetting(FailedPasswords, "2");
        });

        async Task<List<HttpStatusCode>> GuessAsync(WebApplicationFactory<NotejamDb> replica)
        {
            using var client = replica.CreateClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                statuses.Add((await client.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = "guess" })).StatusCode);
            }

            return statuses;
        }

        Assert.All(await GuessAsync(development), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GuessAsync(production))[^1]);
    }

    /// <summary>An address no other test uses (198.18.0.0/15 is set aside for tests like these).</summary>
    internal static string NewAddress() => $"198.{18 + Random.Shared.Next(2)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    private WebApplicationFactory<NotejamDb> Replica(string key, string value) =>
        api.AnotherReplica(web => web.UseSetting(key, value));

    internal static HttpClient Client(WebApplicationFactory<NotejamDb> replica, string forwardedFor)
    {
        var client = replica.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
