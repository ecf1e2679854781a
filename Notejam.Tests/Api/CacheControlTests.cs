using System.Net;
using System.Net.Http.Json;
using System.Text;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// Security review: exports and authenticated answers carried no Cache-Control, so a shared cache could serve one
/// person's notes to the next. Every route the API maps, from its own endpoint data, is asked as a signed-in caller.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class CacheControlTests(ApiFactory api, ITestOutputHelper output)
{
    [Fact]
    public async Task Exports_and_authenticated_answers_carry_no_store_or_are_private_and_revalidated()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var routes = RouteTable.Of(api.Services, "GET")
            // Signing out ends the caller's session: last, so every other route is asked while signed in.
            .OrderBy(route => route.Pattern.Contains("signout", StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count >= 10, $"Only {routes.Count} API routes found: {string.Join(", ", routes)}");
        var failures = new List<string>();

        foreach (var route in routes)
        {
            var pad = await owner.CreatePadAsync("Cached?");
            var note = await owner.CreateNoteAsync("Cached?", "Private", pad.GetProperty("id").GetInt32());
            var url = route.Url(note.GetProperty("id").GetInt32(), pad.GetProperty("id").GetInt32());
            // A body the route cannot use: its error answer must not be stored either (a GET is asked as it is).
            foreach (var body in route.Verb == "GET" ? new string?[] { null } : ["{}", "{"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Verb), url);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using var response = await owner.Http.SendAsync(request);
                output.WriteLine($"{route} {body}: {(int)response.StatusCode} Cache-Control: {response.Headers.CacheControl}");
                // A conditional read (ConditionalReadTests) may instead be private (no shared cache keeps it) and no-cache
                // (its one client revalidates it on every use), with the ETag it is revalidated by.
                var validatedPrivately = response.Headers.CacheControl is { Private: true, NoCache: true } && response.Headers.ETag is not null;
                if (response.Headers.CacheControl?.NoStore != true && !validatedPrivately)
                {
                    failures.Add($"{route} with {body ?? "no body"}: {(int)response.StatusCode} without no-store ({response.Headers.CacheControl})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Exports_carry_no_store()
    {
        using var owner = await ApiUser.CreateAsync(api);
        await owner.CreateNoteAsync("Exported", "Private");

        foreach (var url in new[] { "/users/me/export", "/users/me/export.zip" })
        {
            using var response = await owner.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{url}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task Token_answers_carry_no_store_and_anonymous_reads_are_left_alone()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var anonymous = api.CreateClient();

        using var signin = await anonymous.PostAsJsonAsync("/users/signin", new { email = owner.Email, password = owner.Password });
        using var refused = await anonymous.GetAsync("/notes");
        using var openApi = await anonymous.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, signin.StatusCode);
        Assert.True(signin.Headers.CacheControl?.NoStore, $"sign-in: Cache-Control {signin.Headers.CacheControl}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.NotEqual(true, openApi.Headers.CacheControl?.NoStore);
    }
}
