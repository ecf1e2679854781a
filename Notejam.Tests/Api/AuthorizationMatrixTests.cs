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
        "/health", "/alive", "/openapi/{documentName}.json",
    ];

    /// <summary>Routes whose body names the owner's pad: another user's request is a 404 too.</summary>
    private static readonly string[] BodyNamesOwnersPad = ["POST /notes/"];

    /// <summary>A valid body for each route that reads one. A route missing here fails the matrix.</summary>
    private static readonly Dictionary<string, Func<Scene, Task<object?>>> Bodies = new(StringComparer.Ordinal)
    {
        ["GET"] = _ => Task.FromResult<object?>(null),
        ["DELETE"] = _ => Task.FromResult<object?>(null),
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
            var url = route.Url(scene.NoteId, scene.PadId);
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
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task<object?> BodyFor(RouteVerb route, Scene scene)
    {
        var make = Bodies.GetValueOrDefault(route.ToString()) ?? Bodies.GetValueOrDefault(route.Verb)
            ?? throw new Xunit.Sdk.XunitException(
                $"{route} has no body in AuthorizationMatrixTests.Bodies: extend the table with a valid one.");
        return await make(scene);
    }

    private static Task<object?> Body(object body) => Task.FromResult<object?>(body);

    /// <summary>The owner's note (in a pad) and pad that a request's {id} names.</summary>
    private sealed record Scene(ApiFactory Api, ApiUser Owner, int NoteId, uint NoteVersion, int PadId, uint PadVersion)
    {
        public static async Task<Scene> CreateAsync(ApiFactory api, ApiUser owner)
        {
            var pad = await owner.CreatePadAsync("Owned");
            var note = await owner.CreateNoteAsync("Owned", "Owned text", pad.GetProperty("id").GetInt32());
            return new Scene(api, owner, note.GetProperty("id").GetInt32(), note.GetProperty("version").GetUInt32(),
                pad.GetProperty("id").GetInt32(), pad.GetProperty("version").GetUInt32());
        }

        public async Task<string> SnapshotAsync() =>
            await Owner.Http.GetStringAsync($"/notes/{NoteId}") + await Owner.Http.GetStringAsync($"/pads/{PadId}");
    }
}
