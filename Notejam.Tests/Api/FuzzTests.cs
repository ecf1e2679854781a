using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// Thousands of malformed requests, the same ones every run (a seeded Random), against the API and the site's
/// forms: none may be a 5xx, no script comes back unencoded, and a bystander's notes and pads never change.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class FuzzTests(SiteFactory site, ITestOutputHelper output)
{
    private const string Script = "<script>alert(1)</script>";

    private static readonly string[] Strings =
    [
        "", " ", "Plain", new string('n', 200), new string('t', 200_000), "\u0000", "a\u0000b", "\u0001\u0008\u001f\u007f",
        "tab\there\r\nnewline", "\u202Eevil", "💩🎉", "\uFEFF", "Ünïcödé ñame", "' OR 1=1 --", "'; DROP TABLE \"Notes\"; --",
        Script, $"\"><img src=x onerror=alert(1)>{Script}", "%00", "../../etc/passwd", "{{7*7}}", "${jndi:ldap://x}",
        "user@example.com", "a@b", "@", "null", "-1", new string('é', 101),
        // What the passkey forms post: a credential's JSON, whole, broken or hostile.
        "{\"id\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"%%%\"}}", "{\"id\":[],\"response\":null}", "[]",
        new string('[', 10_000),
    ];

    private static readonly string[] Ids = ["-1", "0", "1", "2147483647", "2147483648", "99999999999", "abc", "1.5", "%00", "1e3"];

    private static readonly string[] BrokenJson =
        ["{", "[", "nul", "{\"name\":}", "{\"name\": \"a\"", "\"just a string\"", "[1,2,3]", "{\"name\":\"\\u0000\"}", "\u0000", "{}}"];

    private static readonly string[] ContentTypes =
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=utf-16", ""];

    [Fact]
    public async Task Malformed_requests_never_fail_the_server_leak_a_script_or_touch_another_users_data()
    {
        var web = site.StartWeb(ServerAddress.Of(site.Api));
        using var bystander = await ApiUser.CreateAsync(site.Api);
        var bystanderPad = await bystander.CreatePadAsync("Bystander's pad");
        var bystanderNote = await bystander.CreateNoteAsync("Bystander's note", "Private", bystanderPad.GetProperty("id").GetInt32());
        var before = await SnapshotAsync(bystander);
        using var attacker = await ApiUser.CreateAsync(site.Api);
        using var person = await SiteUser.SignUpAndInAsync(site, web);
        using var stranger = site.Browser(web);
        var scene = new Scene(
            [bystanderNote.GetProperty("id").GetInt32(), bystanderPad.GetProperty("id").GetInt32(),
                (await attacker.CreateNoteAsync("Mine")).GetProperty("id").GetInt32(), (await attacker.CreatePadAsync("Mine")).GetProperty("id").GetInt32(),
                (await person.CreateNoteAsync("Mine")).IdInUrl, (await person.CreatePadAsync("Mine")).IdInUrl],
            Token(await person.Browser.GetAsync("/notes/create/")),
            Token(await stranger.GetAsync("/signin/")));

        using var anonymousApi = site.Api.CreateClient();
        using var personWeb = new HttpClient(new HttpClientHandler { CookieContainer = person.Browser.Cookies, AllowAutoRedirect = false })
            { BaseAddress = ServerAddress.Of(web) };
        using var strangerWeb = new HttpClient(new HttpClientHandler { CookieContainer = stranger.Cookies, AllowAutoRedirect = false })
            { BaseAddress = ServerAddress.Of(web) };
        var random = new Random(20261127);
        var requests = Enumerable.Range(0, 5200).Select(i => i % 3 == 2 ? WebRequest(random, scene) : ApiRequest(random, scene)).ToList();

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, ct) =>
        {
            var http = (fuzz.Web, fuzz.SignedIn) switch
            {
                (false, true) => attacker.Http,
                (false, false) => anonymousApi,
                (true, true) => personWeb,
                (true, false) => strangerWeb,
            };
            using var request = fuzz.ToMessage();
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            if ((int)response.StatusCode >= 500)
            {
                failures.Enqueue($"{(int)response.StatusCode} for {fuzz}: {body[..Math.Min(body.Length, 300)]}");
            }

            // JSON is data (the API echoes names as given); any other answer, HTML above all, must encode it.
            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            if (body.Contains(Script, StringComparison.OrdinalIgnoreCase) && !mediaType.EndsWith("json", StringComparison.Ordinal))
            {
                failures.Enqueue($"Raw script in the {mediaType} answer to {fuzz}");
            }
        });

        output.WriteLine($"{requests.Count} requests ({requests.Count(r => r.Web)} to the site, {requests.Count(r => !r.Web)} to the API)");
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(requests.Count >= 5000);
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, the first:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(8))}");
        Assert.Equal(before, await SnapshotAsync(bystander));
    }

    private static Fuzz ApiRequest(Random random, Scene scene)
    {
        var id = Pick(random, scene.Ids, Ids);
        var (method, url, fields) = random.Next(11) switch
        {
            9 => (Pick(random, "POST", "PATCH", "DELETE"), Pick(random, "/users/passkeys/signin", "/users/passkeys/options", "/users/me/passkeys",
                    "/users/me/passkeys/options", $"/users/me/passkeys/{Escape(Pick(random, Strings))}", "/users/me/password"),
                ["ceremony", "credential", "name", "password", "confirmation"]),
            0 => ("POST", "/notes", new[] { "name", "text", "padId" }),
            1 => random.Next(4) == 0
                ? ("POST", $"/notes/{id}/versions/{Escape(Pick(random, scene.Ids, Ids))}/restore", new[] { "version" })
                : ("PUT", $"/notes/{id}", new[] { "name", "text", "padId", "version" }),
            2 => ("POST", "/pads", new[] { "name" }),
            3 => ("PUT", $"/pads/{id}", new[] { "name", "version" }),
            4 => random.Next(3) == 0
                ? (Pick(random, "GET", "PUT", "DELETE"), $"/notes/{id}/share", Array.Empty<string>())
                : (Pick(random, "GET", "DELETE"), $"/{Pick(random, "notes", "pads")}/{id}", Array.Empty<string>()),
            5 => ("GET", $"/notes?order={Escape(Pick(random, Strings))}&padId={Escape(id)}&page={Escape(Pick(random, Ids))}&pageSize={Escape(Pick(random, Ids))}", []),
            6 => ("POST", Pick(random, "/users/register", "/users/signin", "/users/forgot-password"), ["email", "password", "repeatPassword"]),
            7 => ("POST", Pick(random, "/users/reset-password", "/users/refresh", "/users/me/password"),
                ["email", "token", "refreshToken", "oldPassword", "newPassword", "repeatNewPassword"]),
            8 => (Pick(random, "POST", "DELETE"), Pick(random, "/users/me/import", "/users/me"), ["format", "version", "pads", "notes", "password"]),
            _ => ("GET", Pick(random, "/users/me", "/notes/", "/pads/", $"/notes/{id}?x={Escape(Pick(random, Strings))}", $"/shared/{Escape(Pick(random, Strings))}",
                $"/notes/{id}/versions?page={Escape(Pick(random, Ids))}&pageSize={Escape(Pick(random, Ids))}", $"/notes/{id}/versions/{Escape(Pick(random, Ids))}"), []),
        };
        if (fields.Length == 0)
        {
            return new Fuzz(false, random.Next(4) != 0, method, url, null, null);
        }

        var body = random.Next(6) switch
        {
            0 => Pick(random, BrokenJson),
            _ => JsonObject(random, fields),
        };
        var contentType = random.Next(5) == 0 ? Pick(random, ContentTypes) : "application/json";
        return new Fuzz(false, random.Next(4) != 0, method, url, contentType, body);
    }

    private static string JsonObject(Random random, string[] fields)
    {
        var json = new StringBuilder("{");
        foreach (var field in fields.Where(_ => random.Next(6) != 0))
        {
            json.Append(JsonSerializer.Serialize(field)).Append(':').Append(random.Next(8) switch
            {
                0 => Pick(random, "1", "-1", "0", "2147483648", "99999999999", "1.5", "1e400"),
                1 => Pick(random, "true", "null", "[]", "{}", "[\"a\"]", "{\"a\":1}"),
                _ => JsonSerializer.Serialize(Pick(random, Strings)),
            }).Append(',');
        }

        // A field twice: the last one wins, or the request is refused; neither may fail.
        if (random.Next(8) == 0)
        {
            json.Append("\"name\":\"first\",\"name\":").Append(JsonSerializer.Serialize(Pick(random, Strings))).Append(',');
        }

        return json.ToString().TrimEnd(',') + "}";
    }

    private static Fuzz WebRequest(Random random, Scene scene)
    {
        var id = Pick(random, scene.Ids, Ids);
        var signedIn = random.Next(6) != 0;
        if (random.Next(5) == 0)
        {
            var query = $"?order={Escape(Pick(random, Strings))}&page={Escape(Pick(random, Ids))}";
            return new Fuzz(true, signedIn, "GET",
                Pick(random, "/", $"/pads/{id}/", $"/notes/{id}/", $"/notes/{id}/edit/", $"/notes/create/?pad={Escape(id)}",
                    $"/shared/{Escape(Pick(random, Strings))}/", $"/notes/{id}/history/", $"/notes/{id}/history/{Escape(Pick(random, scene.Ids, Ids))}/") + query, null, null);
        }

        var (url, fields) = random.Next(9) switch
        {
            7 => (Pick(random, "/signin/?handler=Passkey", "/signin/?handler=PasskeyOptions", "/settings/?handler=AddPasskey",
                    "/settings/?handler=RenamePasskey", "/settings/?handler=RemovePasskey", "/settings/?handler=RemovePassword",
                    "/settings/?handler=PasskeyOptions", "/settings/?handler=ConfirmOptions", "/settings/delete/?handler=Passkey"),
                new[] { "PasskeyName", "PasskeyId", "PasskeyCeremony", "PasskeyCredential", "PasskeyPassword", "ConfirmCeremony", "ConfirmCredential", "CurrentPassword" }),
            0 => ("/notes/create/", new[] { "Name", "Text", "PadId" }),
            1 => random.Next(4) == 0
                ? ($"/notes/{id}/history/{Escape(Pick(random, scene.Ids, Ids))}/", new[] { "NoteVersion" })
                : ($"/notes/{id}/edit/", new[] { "Name", "Text", "PadId", "Version" }),
            2 => ("/pads/create/", new[] { "Name" }),
            3 => ($"/pads/{id}/edit/", new[] { "Name", "Version" }),
            4 => (Pick(random, "/settings/", "/settings/import/", "/settings/delete/"), new[] { "OldPassword", "NewPassword", "RepeatNewPassword", "Upload", "Password" }),
            5 => (Pick(random, "/signin/", "/signup/"), new[] { "Email", "Password", "RepeatPassword", "ReturnUrl" }),
            6 => (Pick(random, "/forgot-password/", "/reset-password/"), new[] { "Email", "Token", "NewPassword", "RepeatNewPassword" }),
            _ => (Pick(random, "/", $"/notes/{id}/", $"/pads/{id}/", $"/notes/{id}/delete/", $"/pads/{id}/delete/", $"/notes/{id}/share/",
                $"/notes/{id}/share/?handler=stop"), Array.Empty<string>()),
        };
        var values = new List<KeyValuePair<string, string>>();
        var token = random.Next(6) switch
        {
            0 => null,
            1 => scene.ForeignToken,
            2 => "not-a-token",
            _ => signedIn ? scene.Token : scene.ForeignToken,
        };
        if (token is not null)
        {
            values.Add(new("__RequestVerificationToken", token));
        }

        foreach (var field in fields.Where(_ => random.Next(6) != 0))
        {
            values.Add(new(field, random.Next(6) == 0 ? Pick(random, Ids) : Pick(random, Strings)));
            if (random.Next(10) == 0)
            {
                values.Add(new(field, Pick(random, Strings)));
            }
        }

        var body = string.Join('&', values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));
        var contentType = random.Next(10) == 0 ? Pick(random, ContentTypes) : "application/x-www-form-urlencoded";
        return new Fuzz(true, signedIn, "POST", url, contentType, body);
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static string Pick(Random random, int[] ours, string[] odd) =>
        random.Next(2) == 0 ? ours[random.Next(ours.Length)].ToString(CultureInfo.InvariantCulture) : Pick(random, odd);

    private static string Escape(string value) => Uri.EscapeDataString(value.Length > 2000 ? value[..2000] : value);

    private static string Token(SitePage page) =>
        page.Document.QuerySelector("main form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

    private static async Task<string> SnapshotAsync(ApiUser user)
    {
        var snapshot = new StringBuilder(await user.Http.GetStringAsync("/pads"));
        var notes = JsonDocument.Parse(await user.Http.GetStringAsync("/notes?pageSize=100")).RootElement;
        foreach (var note in notes.GetProperty("items").EnumerateArray())
        {
            snapshot.Append(await user.Http.GetStringAsync($"/notes/{note.GetProperty("id").GetInt32()}"));
        }

        return snapshot.ToString();
    }

    /// <summary>Ids worth trying (the bystander's, the attacker's, the site person's), and antiforgery tokens.</summary>
    private sealed record Scene(int[] Ids, string Token, string ForeignToken);

    private sealed record Fuzz(bool Web, bool SignedIn, string Method, string Url, string? ContentType, string? Body)
    {
        public HttpRequestMessage ToMessage()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Url);
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
                if (ContentType is { Length: > 0 })
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return request;
        }

        public override string ToString() =>
            $"{(Web ? "site" : "API")} {(SignedIn ? "signed in" : "anonymous")} {Method} {Url[..Math.Min(Url.Length, 200)]} " +
            $"[{ContentType}] {Body?[..Math.Min(Body.Length, 300)]}";
    }
}
