using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// Every route the API maps, on every verb, for an anonymous caller, the owner of the note or pad it names, and
/// another user. The routes come from the API's own endpoint data, so a new one is checked (or fails) here.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class AuthorizationMatrixTests(ApiFactory api, ITestOutputHelper output)
{
    private static readonly string[] Anonymous =
    [
        "/users/register", "/users/signin", "/users/refresh", "/users/forgot-password", "/users/reset-password",
        "/health", "/alive", "/openapi/{documentName}.json", "/shared/{token}", "/users/passkeys/options", "/users/passkeys/signin",
    ];

    /// <summary>Routes whose body names the owner's pad: another user's request is a 404 too.</summary>
    private static readonly string[] BodyNamesOwnersPad = ["POST /notes/"];

    /// <summary>A valid body for each route that reads one. A route missing here fails the matrix.</summary>
    private static readonly Dictionary<string, Func<Scene, Task<object?>>> Bodies = new(StringComparer.Ordinal)
    {
        ["GET"] = _ => Task.FromResult<object?>(null),
        ["DELETE"] = _ => Task.FromResult<object?>(null),
        ["PUT /notes/{id:int}/share/"] = _ => Task.FromResult<object?>(null),
        ["POST /notes/{id:int}/versions/{versionId:long}/restore"] = s => Body(new { version = s.NoteVersion }),
        ["POST /notes/"] = s => Body(new { name = "Posted", text = "Text", padId = s.PadId }),
        ["PUT /notes/{id:int}"] = s => Body(new { name = "Changed", text = "Changed", padId = s.PadId, version = s.NoteVersion }),
        ["POST /pads/"] = _ => Body(new { name = "Posted" }),
        ["PUT /pads/{id:int}"] = s => Body(new { name = "Changed", version = s.PadVersion }),
        ["POST /users/register"] = _ => Body(new { email = ApiUser.NewEmail(), password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword }),
        ["POST /users/signin"] = s => Body(new { email = s.Owner.Email, password = s.Owner.Password }),
        ["POST /users/refresh"] = async s =>
        {
            // Signing out (also in this matrix) ends earlier refresh tokens: take a fresh one.
            using var http = s.Api.CreateClient();
            var tokens = await ApiUser.SignInAsync(http, s.Owner.Email, s.Owner.Password);
            return new { refreshToken = tokens.GetProperty("refreshToken").GetString() };
        },
        ["POST /users/forgot-password"] = s => Body(new { email = s.Owner.Email }),
        ["POST /users/reset-password"] = s => Body(new
        {
            email = s.Owner.Email, token = "bm90LWEtdG9rZW4", newPassword = ApiUser.DefaultPassword, repeatNewPassword = ApiUser.DefaultPassword,
        }),
        // The same password again, so the owner signs in with it afterwards.
        ["POST /users/me/password"] = s => Body(new
        {
            oldPassword = s.Owner.Password, newPassword = s.Owner.Password, repeatNewPassword = s.Owner.Password,
        }),
        ["POST /users/me/signout"] = _ => Task.FromResult<object?>(null),
        ["POST /users/me/import"] = _ => Body(new { format = "notejam-export", version = 1, pads = new[] { new { name = "Imported" } } }),
        // A wrong password: the account must outlive the matrix.
        ["DELETE /users/me/"] = _ => Body(new { password = "not the password" }),
        ["POST /users/passkeys/options"] = _ => Task.FromResult<object?>(null),
        // The owner's passkey answers a ceremony of its own: a sign-in whoever sends it.
        ["POST /users/passkeys/signin"] = async s =>
        {
            using var http = s.Api.CreateClient();
            var (ceremony, options) = await PasskeysApiTests.OptionsAsync(http, "/users/passkeys/options");
            return new { ceremony, credential = s.Passkey.Get(options, PasskeysApiTests.Origin) };
        },
        ["POST /users/me/passkeys/options"] = _ => Task.FromResult<object?>(null),
        // The owner's ceremony: another person's request with it is refused as a ceremony not theirs (400).
        ["POST /users/me/passkeys/"] = async s =>
        {
            var (ceremony, options) = await PasskeysApiTests.OptionsAsync(s.Owner.Http, "/users/me/passkeys/options");
            using var another = new SoftAuthenticator();
            return new { ceremony, credential = another.Create(options, PasskeysApiTests.Origin), name = "Another", password = s.Owner.Password };
        },
        ["PATCH /users/me/passkeys/{id}"] = _ => Body(new { name = "Renamed" }),
        // A wrong password: the owner keeps it, and signs in with it afterwards.
        ["DELETE /users/me/password"] = _ => Body(new { password = "not the password" }),
    };

    public static TheoryData<string> Callers => ["anonymous", "owner", "another user"];

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Every_route_answers_each_caller_as_it_should(string caller)
    {
        var routes = RouteTable.Of(api.Services, "GET");
        output.WriteLine($"{routes.Count} (route, verb) pairs: {string.Join(", ", routes)}");
        Assert.True(routes.Count >= 10, $"Only {routes.Count} API routes found: {string.Join(", ", routes)}");
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        using var anonymous = api.CreateClient();
        var http = caller switch
        {
            "anonymous" => anonymous,
            "owner" => owner.Http,
            _ => other.Http,
        };
        var failures = new List<string>();

        foreach (var route in routes)
        {
            // Every request gets a note and a pad of its own: deleting one must not change what the next one finds.
            var scene = await Scene.CreateAsync(api, owner);
            var before = await scene.SnapshotAsync();
            var url = route.Url(scene.NoteId, scene.PadId, scene.ShareToken, scene.VersionId, scene.Passkey.Id);
            using var request = new HttpRequestMessage(new HttpMethod(route.Verb), url);
            var body = await BodyFor(route, scene);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            var isAnonymous = Anonymous.Contains(route.Pattern.TrimEnd('/'));
            var wrong = caller switch
            {
                "anonymous" when !isAnonymous => status != 401 ? "expected 401" : null,
                "another user" when route.IsOwned || BodyNamesOwnersPad.Contains(route.ToString()) => status != 404
                    ? "expected 404"
                    : await scene.SnapshotAsync() != before ? "the owner's note or pad changed" : null,
                _ => status is 401 or 403 or 404 or >= 500 ? "expected an answer the caller may have" : null,
            };
            if (wrong is not null)
            {
                failures.Add($"{route} as {caller}: {wrong}, got {status}: {await response.Content.ReadAsStringAsync()}");
            }

            if (caller != "anonymous" && EndsTheSession.Contains(route.ToString()))
            {
                // That route ended the caller's session (SessionRevocationTests): the next route gets a new one.
                var person = caller == "owner" ? owner : other;
                var tokens = await ApiUser.SignInAsync(anonymous, person.Email, person.Password);
                http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Security review, finding 1, for every route a new one included: a token whose session has ended (signed out here)
    /// opens nothing, read or write.
    /// </summary>
    [Fact]
    public async Task Every_signed_in_route_refuses_a_token_whose_session_has_ended()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var scene = await Scene.CreateAsync(api, owner);
        using var ended = await SignedOutAsync(owner);
        var failures = new List<string>();

        foreach (var route in RouteTable.Of(api.Services, "GET").Where(r => !Anonymous.Contains(r.Pattern.TrimEnd('/'))))
        {
            using var request = new HttpRequestMessage(new HttpMethod(route.Verb), route.Url(scene.NoteId, scene.PadId));
            if (await BodyFor(route, scene) is { } body)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await ended.SendAsync(request);
            if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized)
            {
                failures.Add($"{route} with an ended session's token: expected 401, got {(int)response.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await owner.Http.GetAsync($"/notes/{scene.NoteId}")).StatusCode);
    }

    /// <summary>
    /// The abuse matrix: every anonymous route that takes a body is either limited per client address (shown here by
    /// reaching its 429 from one address, on a replica whose limits are 1) or says why it needs no limit. A new anonymous
    /// route fails this test until it is one or the other.
    /// </summary>
    [Fact]
    public async Task Every_anonymous_post_is_limited_per_address_or_says_why_not()
    {
        var anonymousPosts = RouteTable.Of(api.Services, "GET")
            .Where(r => r.Verb != "GET" && Anonymous.Contains(r.Pattern.TrimEnd('/')))
            .Select(r => r.ToString())
            .ToList();
        Assert.Equal(Limited.Keys.Concat(Unlimited.Keys).Order(), anonymousPosts.Order());
        using var owner = await ApiUser.CreateAsync(api);
        using var replica = api.AnotherReplica(b =>
        {
            foreach (var limit in new[] { "FailedPasswordsPerAddress", "SignUpsPerAddress", "ResetRequestsPerAddress", "PasskeyCeremoniesPerAddress" })
            {
                b.UseSetting($"Notejam:Limits:{limit}:Permits", "1");
            }
        });
        var failures = new List<string>();

        foreach (var (route, body) in Limited)
        {
            using var client = replica.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", BruteForceTests.NewAddress());
            var statuses = new List<int>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                statuses.Add((int)(await client.PostAsJsonAsync(route.Split(' ')[1], body(owner))).StatusCode);
            }

            if (!statuses.Contains(429))
            {
                failures.Add($"{route} from one address: no 429 in {string.Join(", ", statuses)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Anonymous posts with a per-address limit, and a body that counts against it (a wrong answer, or any sign-up).</summary>
    private static readonly Dictionary<string, Func<ApiUser, object>> Limited = new(StringComparer.Ordinal)
    {
        ["POST /users/register"] = _ => new { email = ApiUser.NewEmail(), password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword },
        ["POST /users/signin"] = o => new { email = o.Email, password = "a wrong guess" },
        ["POST /users/forgot-password"] = _ => new { email = ApiUser.NewEmail() },
        ["POST /users/reset-password"] = o => new { email = o.Email, token = "bm90LWEtdG9rZW4", newPassword = "new password", repeatNewPassword = "new password" },
        ["POST /users/passkeys/options"] = _ => new { },
        ["POST /users/passkeys/signin"] = _ => new { ceremony = new string('A', 43), credential = new { id = "AAAA", type = "public-key", response = new { } } },
    };

    /// <summary>Anonymous posts without a per-address limit, and why none is needed.</summary>
    private static readonly Dictionary<string, string> Unlimited = new(StringComparer.Ordinal)
    {
        ["POST /users/refresh"] = "a refresh token is authenticated encryption: there is nothing to guess, and a reused one ends its session",
    };

    /// <summary>Routes after which the caller's token is refused: they end sessions.</summary>
    private static readonly string[] EndsTheSession = ["POST /users/me/password", "POST /users/me/signout"];

    private async Task<HttpClient> SignedOutAsync(ApiUser owner)
    {
        var http = api.CreateClient();
        var tokens = await ApiUser.SignInAsync(http, owner.Email, owner.Password);
        http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        await http.PostAsync("/users/me/signout", null);
        // Signing out ends every session of the account: the owner signs in again for the checks after.
        var fresh = await ApiUser.SignInAsync(api.CreateClient(), owner.Email, owner.Password);
        owner.Http.DefaultRequestHeaders.Authorization = new("Bearer", fresh.GetProperty("accessToken").GetString());
        return http;
    }

    private static async Task<object?> BodyFor(RouteVerb route, Scene scene)
    {
        var make = Bodies.GetValueOrDefault(route.ToString()) ?? Bodies.GetValueOrDefault(route.Verb)
            ?? throw new Xunit.Sdk.XunitException(
                $"{route} has no body in AuthorizationMatrixTests.Bodies: extend the table with a valid one.");
        return await make(scene);
    }

    private static Task<object?> Body(object body) => Task.FromResult<object?>(body);

    /// <summary>
    /// The owner's note (in a pad, shared by link, edited once) and pad that a request's {id} names, the link's {token},
    /// and the note's earlier version, {versionId}.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ApiUser, SoftAuthenticator> Passkeys = [];

    private sealed record Scene(
        ApiFactory Api, ApiUser Owner, int NoteId, uint NoteVersion, int PadId, uint PadVersion, string ShareToken, long VersionId,
        SoftAuthenticator Passkey)
    {
        public static async Task<Scene> CreateAsync(ApiFactory api, ApiUser owner)
        {
            var pad = await owner.CreatePadAsync("Owned");
            var padId = pad.GetProperty("id").GetInt32();
            var note = await owner.CreateNoteAsync("Owned", "Owned text", padId);
            var noteId = note.GetProperty("id").GetInt32();
            using var edited = await owner.Http.PutAsJsonAsync($"/notes/{noteId}",
                new { name = "Owned", text = "Owned text, edited", padId, version = note.GetProperty("version").GetUInt32() });
            note = await edited.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var versions = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{noteId}/versions");
            using var shared = await owner.Http.PutAsync($"/notes/{noteId}/share", null);
            var share = await shared.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            // One passkey per owner, added again only after a route removed it (an account holds at most 20).
            var passkey = Passkeys.GetValue(owner, _ => new SoftAuthenticator());
            var held = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/passkeys");
            if (!held.GetProperty("passkeys").EnumerateArray().Any(p => p.GetProperty("id").GetString() == passkey.Id))
            {
                passkey = new SoftAuthenticator();
                Passkeys.AddOrUpdate(owner, passkey);
                (await PasskeysApiTests.AddAsync(owner, passkey, "Owned")).EnsureSuccessStatusCode();
            }

            return new Scene(api, owner, noteId, note.GetProperty("version").GetUInt32(), padId, pad.GetProperty("version").GetUInt32(),
                share.GetProperty("token").GetString()!, versions.GetProperty("items")[0].GetProperty("id").GetInt64(), passkey);
        }

        public async Task<string> SnapshotAsync() =>
            await Owner.Http.GetStringAsync($"/notes/{NoteId}") + await Owner.Http.GetStringAsync($"/pads/{PadId}")
            + await Owner.Http.GetStringAsync("/users/me/passkeys");
    }
}
