using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// The API's conditional reads held to RFC 9110 (8.8.3 ETag, 13.1.2 If-None-Match, 15.4.5 304 Not Modified): a
/// validator changes with every write of the account's pads and notes, whatever the write; it never matches another
/// account's answers; and a session that has ended is refused before any 304.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class ConditionalReadTests(ApiFactory api)
{
    private static readonly string[] Reads = ["/notes", "/pads"];

    [Fact]
    public async Task An_unchanged_read_answers_304_with_no_body_and_the_same_ETag()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Kept");
        var note = await owner.CreateNoteAsync("Kept", "Text", pad.GetProperty("id").GetInt32());

        foreach (var url in Reads.Concat([$"/notes/{note.GetProperty("id").GetInt32()}", $"/pads/{pad.GetProperty("id").GetInt32()}"]))
        {
            using var first = await owner.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{url} has no ETag");
            Assert.True(etag.IsWeak);
            Assert.True(first.Headers.CacheControl is { Private: true, NoCache: true }, $"{url}: {first.Headers.CacheControl}");

            using var again = await GetAsync(owner.Http, url, etag);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Every_kind_of_write_changes_the_validator_of_every_read()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var padId = (await owner.CreatePadAsync("Before")).GetProperty("id").GetInt32();
        var note = await owner.CreateNoteAsync("Before", "Text", padId);
        var noteId = note.GetProperty("id").GetInt32();
        var export = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/export");

        var writes = new (string What, Func<Task<HttpResponseMessage>> Write)[]
        {
            ("create a note", () => owner.Http.PostAsJsonAsync("/notes", new { name = "New", text = "Text", padId })),
            ("edit a note", async () => await owner.Http.PutAsJsonAsync($"/notes/{noteId}", new { name = "Edited", text = "Text", padId,
                version = (await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{noteId}")).GetProperty("version").GetUInt32() })),
            ("create a pad", () => owner.Http.PostAsJsonAsync("/pads", new { name = "Another" })),
            ("rename a pad", async () => await owner.Http.PutAsJsonAsync($"/pads/{padId}", new { name = "Renamed",
                version = (await owner.Http.GetFromJsonAsync<JsonElement>($"/pads/{padId}")).GetProperty("version").GetUInt32() })),
            ("import", () => owner.Http.PostAsJsonAsync("/users/me/import", export)),
            ("delete a note", () => owner.Http.DeleteAsync($"/notes/{noteId}")),
            ("delete a pad", () => owner.Http.DeleteAsync($"/pads/{padId}")),
        };

        foreach (var (what, write) in writes)
        {
            var before = new Dictionary<string, EntityTagHeaderValue>();
            foreach (var url in Reads)
            {
                using var read = await owner.Http.GetAsync(url);
                before[url] = read.Headers.ETag!;
            }

            using (var written = await write())
            {
                Assert.True(written.IsSuccessStatusCode, $"{what}: {(int)written.StatusCode} {await written.Content.ReadAsStringAsync()}");
            }

            foreach (var url in Reads)
            {
                using var after = await GetAsync(owner.Http, url, before[url]);
                Assert.True(after.StatusCode == HttpStatusCode.OK, $"After '{what}', {url} still answered {(int)after.StatusCode} to the old validator.");
                Assert.NotEqual(before[url], after.Headers.ETag);
            }
        }
    }

    [Fact]
    public async Task One_account_s_validator_never_matches_another_account_s_answers()
    {
        using var alice = await ApiUser.CreateAsync(api);
        using var bob = await ApiUser.CreateAsync(api);
        await alice.CreateNoteAsync("Alice's");
        await bob.CreateNoteAsync("Bob's");

        foreach (var url in Reads)
        {
            using var alices = await alice.Http.GetAsync(url);
            using var bobs = await GetAsync(bob.Http, url, alices.Headers.ETag!);

            Assert.Equal(HttpStatusCode.OK, bobs.StatusCode);
            Assert.DoesNotContain("Alice", await bobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_session_that_has_ended_gets_401_not_304()
    {
        using var owner = await ApiUser.CreateAsync(api);
        await owner.CreateNoteAsync("Mine");
        using var read = await owner.Http.GetAsync("/notes");

        using (var signOut = await owner.Http.PostAsync("/users/me/signout", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        }

        using var replay = await GetAsync(owner.Http, "/notes", read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task A_wildcard_If_None_Match_is_not_a_way_around_404()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var stranger = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Not yours");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/notes/{note.GetProperty("id").GetInt32()}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var response = await stranger.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string url, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        return http.SendAsync(request);
    }
}
