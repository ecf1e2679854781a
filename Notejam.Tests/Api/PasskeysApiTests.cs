using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// Passkeys through the API (issue 16, item 1), answered by <see cref="SoftAuthenticator"/>, an authenticator written from the
/// WebAuthn specification; Chromium's own virtual authenticator drives the same ceremonies in PasskeyJourneyTests. What is
/// tried is what an attacker would: replaying an assertion, using another account's passkey, answering for another
/// origin, guessing past the limits, and a stolen session removing the last way into an account.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class PasskeysApiTests(ApiFactory api)
{
    // The API's relying party is the site (Notejam:WebUrl), not the API itself.
    internal const string Origin = "http://notejam.test";

    [Fact]
    public async Task A_passkey_is_added_named_listed_signs_in_renamed_and_removed()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var authenticator = new SoftAuthenticator();
        var added = await AddAsync(owner, authenticator, "Laptop");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var passkey = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(authenticator.Id, passkey.GetProperty("id").GetString());
        Assert.Equal("Laptop", passkey.GetProperty("name").GetString());
        // Adding a passkey ends no session: the account's refresh token still works (Identity's security stamp is unchanged).
        using var refreshed = await owner.Http.PostAsJsonAsync("/users/refresh", new { refreshToken = owner.Tokens.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        var listed = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys");
        Assert.True(listed.GetProperty("hasPassword").GetBoolean());
        var only = Assert.Single(listed.GetProperty("passkeys").EnumerateArray());
        Assert.Equal("Laptop", only.GetProperty("name").GetString());
        Assert.InRange(only.GetProperty("createdAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(JsonValueKind.Null, only.GetProperty("lastUsedAt").ValueKind);

        using var anyone = api.CreateClient();
        var signedIn = await SignInAsync(anyone, authenticator);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        using var session = api.CreateClient();
        session.DefaultRequestHeaders.Authorization = new("Bearer", (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        Assert.Equal(owner.Email, (await session.GetFromJsonAsync<JsonElement>("/users/me")).GetProperty("email").GetString());
        var used = (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys")[0];
        Assert.Equal(JsonValueKind.String, used.GetProperty("lastUsedAt").ValueKind);

        using var renamed = await owner.Http.PatchAsJsonAsync($"/users/me/passkeys/{authenticator.Id}", new { name = "Work laptop" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Work laptop", (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys")[0].GetProperty("name").GetString());

        using var removed = await owner.Http.DeleteAsync($"/users/me/passkeys/{authenticator.Id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty((await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys").EnumerateArray());
        using var afterRemoval = await SignInAsync(anyone, authenticator);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRemoval.StatusCode);
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused_with_its_ceremony_and_with_a_new_one()
    {
        using var owner = await ApiUser.CreateAsync(api);
        // A synced passkey's count is always 0: the sign count cannot be what refuses the replay here.
        using var authenticator = new SoftAuthenticator { CountsSignatures = false };
        (await AddAsync(owner, authenticator)).EnsureSuccessStatusCode();
        using var anyone = api.CreateClient();
        var (ceremony, options) = await OptionsAsync(anyone, "/users/passkeys/options");
        var assertion = new { ceremony, credential = authenticator.Get(options, Origin) };
        using var first = await anyone.PostAsJsonAsync("/users/passkeys/signin", assertion);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // The same request again: its ceremony was taken by the first.
        using var replayed = await anyone.PostAsJsonAsync("/users/passkeys/signin", assertion);
        await replayed.ProblemAsync(HttpStatusCode.Unauthorized);
        // The same answer under a fresh ceremony: its challenge is not the one signed.
        var (fresh, _) = await OptionsAsync(anyone, "/users/passkeys/options");
        using var moved = await anyone.PostAsJsonAsync("/users/passkeys/signin", new { ceremony = fresh, credential = assertion.credential });
        await moved.ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Another_account_cannot_register_use_rename_or_remove_my_passkey()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        using var authenticator = new SoftAuthenticator();
        (await AddAsync(owner, authenticator)).EnsureSuccessStatusCode();

        // The same credential offered for the other account: Identity refuses a credential any account holds.
        using var taken = await AddAsync(other, authenticator);
        await taken.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await other.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys").EnumerateArray());

        using var renamed = await other.Http.PatchAsJsonAsync($"/users/me/passkeys/{authenticator.Id}", new { name = "Mine now" });
        await renamed.ProblemAsync(HttpStatusCode.NotFound);
        using var removed = await other.Http.DeleteAsync($"/users/me/passkeys/{authenticator.Id}");
        await removed.ProblemAsync(HttpStatusCode.NotFound);

        // An assertion signs in the account the passkey belongs to, and nobody else: a key that is not the credential's
        // own, under its id and the other account's user handle, is refused.
        using var forger = new SoftAuthenticator();
        using var anyone = api.CreateClient();
        var (ceremony, options) = await OptionsAsync(anyone, "/users/passkeys/options");
        var forged = Forged(forger, options, authenticator.Id);
        using var refused = await anyone.PostAsJsonAsync("/users/passkeys/signin", new { ceremony, credential = forged });
        await refused.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Laptop", (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Answers_made_for_another_site_are_refused()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var authenticator = new SoftAuthenticator();
        var (ceremony, options) = await OptionsAsync(owner.Http, "/users/me/passkeys/options");
        Assert.Equal("notejam.test", options.GetProperty("rp").GetProperty("id").GetString());
        using var phished = await owner.Http.PostAsJsonAsync("/users/me/passkeys",
            new { ceremony, credential = authenticator.Create(options, "http://notejam.test.evil.example"), name = "Phished" });
        await phished.ProblemAsync(HttpStatusCode.BadRequest);

        (await AddAsync(owner, authenticator)).EnsureSuccessStatusCode();
        using var anyone = api.CreateClient();
        var (signIn, requestOptions) = await OptionsAsync(anyone, "/users/passkeys/options");
        using var otherOrigin = await anyone.PostAsJsonAsync("/users/passkeys/signin",
            new { ceremony = signIn, credential = authenticator.Get(requestOptions, "http://evil.example") });
        await otherOrigin.ProblemAsync(HttpStatusCode.Unauthorized);
        var (again, againOptions) = await OptionsAsync(anyone, "/users/passkeys/options");
        using var otherRelyingParty = await anyone.PostAsJsonAsync("/users/passkeys/signin",
            new { ceremony = again, credential = authenticator.Get(againOptions, Origin, rpId: "evil.example") });
        await otherRelyingParty.ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_password_goes_only_while_a_passkey_stays_and_the_last_way_in_is_kept()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var noPasskey = await owner.Http.SendAsync(RemovePassword(owner.Password));
        await noPasskey.ProblemAsync(HttpStatusCode.Conflict);

        using var authenticator = new SoftAuthenticator();
        (await AddAsync(owner, authenticator)).EnsureSuccessStatusCode();
        using var wrong = await owner.Http.SendAsync(RemovePassword("not the password"));
        await wrong.ProblemAsync(HttpStatusCode.BadRequest);

        using var removed = await owner.Http.SendAsync(RemovePassword(owner.Password));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        // As after a password change, the session that asked goes on in a new one and every older token is refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Http.GetAsync("/users/me")).StatusCode);
        owner.Http.DefaultRequestHeaders.Authorization = new("Bearer",
            (await removed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        Assert.False((await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("hasPassword").GetBoolean());
        using var anyone = api.CreateClient();
        using var byPassword = await anyone.PostAsJsonAsync("/users/signin", new { email = owner.Email, password = owner.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, byPassword.StatusCode);

        using var lastWayIn = await owner.Http.DeleteAsync($"/users/me/passkeys/{authenticator.Id}");
        await lastWayIn.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(anyone, authenticator)).StatusCode);

        // With no password, deleting the account is confirmed by one of its passkeys, and by nobody else's.
        using var stranger = new SoftAuthenticator();
        using var other = await ApiUser.CreateAsync(api);
        (await AddAsync(other, stranger)).EnsureSuccessStatusCode();
        using var byOtherPasskey = await owner.Http.SendAsync(DeleteAccount(await AssertionAsync(anyone, stranger)));
        await byOtherPasskey.ProblemAsync(HttpStatusCode.BadRequest);
        using var unconfirmed = await owner.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { }) });
        await unconfirmed.ProblemAsync(HttpStatusCode.BadRequest);
        using var deleted = await owner.Http.SendAsync(DeleteAccount(await AssertionAsync(anyone, authenticator)));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(anyone, authenticator)).StatusCode);
    }

    /// <summary>
    /// What a stolen session (a cookie, a token) cannot do: plant a passkey of its own that would outlive a password change.
    /// Adding one takes the password, or for an account without one an assertion of one of its own passkeys.
    /// </summary>
    [Fact]
    public async Task Adding_a_passkey_takes_the_password_or_one_of_the_accounts_passkeys()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var planted = new SoftAuthenticator();
        foreach (var password in new[] { null, "", "a guess" })
        {
            var (ceremony, options) = await OptionsAsync(owner.Http, "/users/me/passkeys/options");
            using var refused = await owner.Http.PostAsJsonAsync("/users/me/passkeys",
                new { ceremony, credential = planted.Create(options, Origin), name = "Attacker's", password });
            var problem = await refused.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _), problem.ToString());
        }

        using var laptop = new SoftAuthenticator();
        (await AddAsync(owner, laptop)).EnsureSuccessStatusCode();
        (await owner.Http.SendAsync(RemovePassword(owner.Password))).EnsureSuccessStatusCode();
        var tokens = await (await SignInAsync(api.CreateClient(), laptop)).Content.ReadFromJsonAsync<JsonElement>();
        owner.Http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());

        using var strangers = new SoftAuthenticator();
        using var stranger = await ApiUser.CreateAsync(api);
        (await AddAsync(stranger, strangers)).EnsureSuccessStatusCode();
        using var anyone = api.CreateClient();
        foreach (var confirmation in new[] { null, await AssertionAsync(anyone, strangers) })
        {
            var (ceremony, options) = await OptionsAsync(owner.Http, "/users/me/passkeys/options");
            using var refused = await owner.Http.PostAsJsonAsync("/users/me/passkeys",
                new { ceremony, credential = planted.Create(options, Origin), name = "Attacker's", confirmation });
            var problem = await refused.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("confirmation", out _), problem.ToString());
        }

        using var phone = new SoftAuthenticator();
        var (begun, creation) = await OptionsAsync(owner.Http, "/users/me/passkeys/options");
        using var added = await owner.Http.PostAsJsonAsync("/users/me/passkeys",
            new { ceremony = begun, credential = phone.Create(creation, Origin), name = "Phone", confirmation = await AssertionAsync(anyone, laptop) });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var names = (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys")).GetProperty("passkeys").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["Laptop", "Phone"], names);
    }

    /// <summary>The way back to a password for an account that dropped it: the mailed reset link, as for a forgotten one.</summary>
    [Fact]
    public async Task A_passwordless_account_sets_a_password_again_through_a_mailed_reset_link()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var laptop = new SoftAuthenticator();
        (await AddAsync(owner, laptop)).EnsureSuccessStatusCode();
        (await owner.Http.SendAsync(RemovePassword(owner.Password))).EnsureSuccessStatusCode();
        using var anyone = api.CreateClient();
        (await anyone.PostAsJsonAsync("/users/forgot-password", new { email = owner.Email })).EnsureSuccessStatusCode();
        var query = QueryHelpers.ParseQuery(new Uri(Assert.Single(api.Mail.ResetLinksTo(owner.Email))).Query);
        using var reset = await anyone.PostAsJsonAsync("/users/reset-password", new
        {
            email = query["email"].ToString(), token = query["token"].ToString(), newPassword = "a new password", repeatNewPassword = "a new password",
        });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await ApiUser.SignInAsync(anyone, owner.Email, "a new password");
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(anyone, laptop)).StatusCode);
    }

    [Fact]
    public async Task A_locked_account_is_locked_to_passkeys_and_refusals_and_prompts_are_limited_per_address()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var authenticator = new SoftAuthenticator();
        (await AddAsync(owner, authenticator)).EnsureSuccessStatusCode();
        using var anyone = api.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await anyone.PostAsJsonAsync("/users/signin", new { email = owner.Email, password = $"wrong password {i}" });
        }

        using var locked = await SignInAsync(anyone, authenticator);
        await locked.ProblemAsync(HttpStatusCode.TooManyRequests);

        // From one address that is not exempt: refused assertions count as wrong passwords do (10 per 10 minutes).
        using var replica = api.AnotherReplica(web => web.UseSetting("Notejam:Limits:PasskeyCeremoniesPerAddress:Permits", "12"));
        using var guesser = BruteForceTests.Client(replica, BruteForceTests.NewAddress());
        using var forger = new SoftAuthenticator();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            var (ceremony, options) = await OptionsAsync(guesser, "/users/passkeys/options");
            var forged = Forged(forger, options, authenticator.Id);
            using var tried = await guesser.PostAsJsonAsync("/users/passkeys/signin", new { ceremony, credential = forged });
            statuses.Add(tried.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var prompts = await guesser.PostAsync("/users/passkeys/options", null);
        await prompts.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(prompts.Headers.RetryAfter);
    }

    /// <summary>
    /// An attacker's credential built to cost: nested past System.Text.Json's depth of 64, or larger than the API's 1 MB
    /// body. Each is refused before a ceremony is looked up or Identity parses anything, and nothing fails.
    /// </summary>
    [Fact]
    public async Task Deep_or_huge_credentials_are_refused_before_any_work()
    {
        var start = "{\"ceremony\":\"" + new string('A', 43) + "\",\"credential\":{\"id\":\"x\",\"type\":\"public-key\",\"response\":";
        var deep = start + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}}";
        var huge = start + "{\"clientDataJSON\":\"" + new string('A', 2_000_000) + "\"}}}";
        using var anyone = api.CreateClient();
        foreach (var (body, expected) in new[] { (deep, HttpStatusCode.BadRequest), (huge, HttpStatusCode.RequestEntityTooLarge) })
        {
            using var answered = await anyone.PostAsync("/users/passkeys/signin", new StringContent(body, new MediaTypeHeaderValue("application/json")));
            await answered.ProblemAsync(expected);
        }
    }

    [Theory]
    [InlineData("""{"ceremony":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","credential":{}}""")]
    [InlineData("""{"ceremony":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","credential":"not an object"}""")]
    [InlineData("""{"ceremony":"","credential":{"id":"x"}}""")]
    [InlineData("""{"credential":{"id":"x"}}""")]
    [InlineData("""{"ceremony":"AAAA","credential":{"id":"x","type":"public-key","response":{"clientDataJSON":"%%%"}}}""")]
    [InlineData("""{"ceremony":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","credential":{"id":"x","type":"public-key","response":{"clientDataJSON":"%%%","authenticatorData":1}}}""")]
    public async Task Malformed_answers_get_problem_details_not_a_500(string body)
    {
        using var owner = await ApiUser.CreateAsync(api);
        foreach (var (client, path) in new[] { (api.CreateClient(), "/users/passkeys/signin"), (owner.Http, "/users/me/passkeys") })
        {
            if (path == "/users/passkeys/signin")
            {
                using (client)
                {
                    await Post(client, path);
                }
            }
            else
            {
                await Post(client, path);
            }
        }

        foreach (var id in new[] { "%20", "not-base64!", new string('A', 2000), "AAAA" })
        {
            using var renamed = await owner.Http.PatchAsJsonAsync($"/users/me/passkeys/{id}", new { name = "x" });
            await renamed.ProblemAsync(HttpStatusCode.NotFound);
        }

        async Task Post(HttpClient client, string path)
        {
            using var answered = await client.PostAsync(path, new StringContent(body, new MediaTypeHeaderValue("application/json")));
            Assert.True(answered.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{path}: {answered.StatusCode}");
            Assert.Equal("application/problem+json", answered.Content.Headers.ContentType?.MediaType);
        }
    }

    internal static async Task<HttpResponseMessage> AddAsync(ApiUser user, SoftAuthenticator authenticator, string name = "Laptop")
    {
        var (ceremony, options) = await OptionsAsync(user.Http, "/users/me/passkeys/options");
        return await user.Http.PostAsJsonAsync("/users/me/passkeys",
            new { ceremony, credential = authenticator.Create(options, Origin), name, password = user.Password });
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, SoftAuthenticator authenticator) =>
        await client.PostAsJsonAsync("/users/passkeys/signin", await AssertionAsync(client, authenticator));

    private static async Task<object> AssertionAsync(HttpClient client, SoftAuthenticator authenticator)
    {
        var (ceremony, options) = await OptionsAsync(client, "/users/passkeys/options");
        return new { ceremony, credential = authenticator.Get(options, Origin) };
    }

    internal static async Task<(string Ceremony, JsonElement Options)> OptionsAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("ceremony").GetString()!, body.GetProperty("options"));
    }

    /// <summary>An assertion signed by <paramref name="forger"/>'s key under someone else's credential id.</summary>
    private static JsonObject Forged(SoftAuthenticator forger, JsonElement options, string credentialId)
    {
        var forged = forger.Get(options, Origin);
        forged["id"] = credentialId;
        forged["rawId"] = credentialId;
        return forged;
    }

    private static HttpRequestMessage RemovePassword(string password) =>
        new(HttpMethod.Delete, "/users/me/password") { Content = JsonContent.Create(new { password }) };

    private static HttpRequestMessage DeleteAccount(object passkey) =>
        new(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { passkey }) };
}
