using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// Read-only links to a note (issue 16, item 2): what a link opens, for whom, for how long, and what an attacker who
/// guesses gets. The attacker's tries are the ones TimingOracleTests and BruteForceTests make on the account routes.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class ShareLinkTests(ApiFactory api, ITestOutputHelper output)
{
    [Fact]
    public async Task A_link_opens_the_note_as_it_is_now_to_anyone_and_nothing_of_its_owner()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Private pad name");
        var note = await owner.CreateNoteAsync("Trip", "# Packing\n\n- passport", pad.GetProperty("id").GetInt32());
        var id = note.GetProperty("id").GetInt32();

        var share = await ShareAsync(owner, id);
        var token = share.GetProperty("token").GetString()!;
        Assert.Equal(43, token.Length);
        Assert.Equal(32, Base64Url.DecodeFromChars(token).Length);
        Assert.Equal(token, (await ShareAsync(owner, id)).GetProperty("token").GetString());

        using var anyone = api.CreateClient();
        using var opened = await anyone.GetAsync($"/shared/{token}");
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.True(opened.Headers.CacheControl?.NoStore, "a shared cache must not keep a note past its link's revocation");
        var shown = await opened.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["name", "text", "updatedAt"], shown.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("Trip", shown.GetProperty("name").GetString());
        Assert.DoesNotContain("Private pad name", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var version = (await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}")).GetProperty("version").GetUInt32();
        (await owner.Http.PutAsJsonAsync($"/notes/{id}", new { name = "Trip, edited", text = "- passport\n- towel", padId = (int?)null, version }))
            .EnsureSuccessStatusCode();
        var edited = await anyone.GetFromJsonAsync<JsonElement>($"/shared/{token}");
        Assert.Equal("Trip, edited", edited.GetProperty("name").GetString());
        Assert.Equal("- passport\n- towel", edited.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Links_are_random_not_derived_from_the_note_and_a_new_share_after_a_revocation_is_a_new_link()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var tokens = new List<string>();
        var id = 0;
        for (var i = 0; i < 8; i++)
        {
            id = (await owner.CreateNoteAsync($"Note {i}")).GetProperty("id").GetInt32();
            tokens.Add((await ShareAsync(owner, id)).GetProperty("token").GetString()!);
        }

        (await owner.Http.DeleteAsync($"/notes/{id}/share")).EnsureSuccessStatusCode();
        tokens.Add((await ShareAsync(owner, id)).GetProperty("token").GetString()!);

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        // 256 bits each: no two of nine share even a 4-character prefix but by a 1 in 10^5 chance.
        Assert.Equal(tokens.Count, tokens.Select(t => t[..4]).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Revoking_deleting_the_note_or_the_account_ends_the_link_at_once()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var anyone = api.CreateClient();
        var revoked = (await owner.CreateNoteAsync("Revoked")).GetProperty("id").GetInt32();
        var deleted = (await owner.CreateNoteAsync("Deleted")).GetProperty("id").GetInt32();
        var kept = (await owner.CreateNoteAsync("Kept")).GetProperty("id").GetInt32();
        var links = new Dictionary<int, string>();
        foreach (var id in new[] { revoked, deleted, kept })
        {
            links[id] = (await ShareAsync(owner, id)).GetProperty("token").GetString()!;
        }

        var list = await owner.Http.GetFromJsonAsync<JsonElement>("/notes?pageSize=10");
        Assert.All(list.GetProperty("items").EnumerateArray(), n => Assert.True(n.GetProperty("shared").GetBoolean()));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/notes/{revoked}/share")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/notes/{deleted}")).StatusCode);
        using var gone = await anyone.GetAsync($"/shared/{links[revoked]}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await anyone.GetAsync($"/shared/{links[deleted]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync($"/shared/{links[kept]}")).StatusCode);
        var note = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{revoked}");
        Assert.Equal(JsonValueKind.Null, note.GetProperty("share").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/notes/{revoked}/share")).StatusCode);

        using var deleting = new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { password = owner.Password }) };
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.SendAsync(deleting)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anyone.GetAsync($"/shared/{links[kept]}")).StatusCode);
    }

    /// <summary>Revoked through one api replica, the link is a 404 on the next request to another: nothing keeps it.</summary>
    [Fact]
    public async Task A_link_revoked_through_one_replica_opens_nothing_on_another_at_once()
    {
        using var replicaA = api.AnotherReplica();
        using var replicaB = api.AnotherReplica();
        using var owner = await ApiUser.CreateAsync(api);
        using var throughA = replicaA.CreateClient();
        throughA.DefaultRequestHeaders.Authorization = owner.Http.DefaultRequestHeaders.Authorization;
        using var anyoneOnB = replicaB.CreateClient();
        var id = (await owner.CreateNoteAsync("Replicated")).GetProperty("id").GetInt32();
        using var shared = await throughA.PutAsync($"/notes/{id}/share", null);
        var token = (await shared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await anyoneOnB.GetAsync($"/shared/{token}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await throughA.DeleteAsync($"/notes/{id}/share")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await anyoneOnB.GetAsync($"/shared/{token}")).StatusCode);
    }

    [Fact]
    public async Task Another_person_can_neither_make_nor_revoke_a_link_to_my_note()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var shared = (await owner.CreateNoteAsync("Shared")).GetProperty("id").GetInt32();
        var unshared = (await owner.CreateNoteAsync("Not shared")).GetProperty("id").GetInt32();
        var token = (await ShareAsync(owner, shared)).GetProperty("token").GetString()!;

        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.DeleteAsync($"/notes/{shared}/share")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.PutAsync($"/notes/{unshared}/share", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.PutAsync($"/notes/{shared}/share", null)).StatusCode);

        using var anyone = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync($"/shared/{token}")).StatusCode);
        var note = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{unshared}");
        Assert.Equal(JsonValueKind.Null, note.GetProperty("share").ValueKind);
    }

    [Fact]
    public async Task Sharing_changes_the_owners_validator_but_not_the_note_so_an_edit_begun_before_still_saves()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var id = (await owner.CreateNoteAsync("Edited while shared")).GetProperty("id").GetInt32();
        using var before = await owner.Http.GetAsync($"/notes/{id}");
        var read = await before.Content.ReadFromJsonAsync<JsonElement>();

        await ShareAsync(owner, id);
        using var after = await owner.Http.GetAsync($"/notes/{id}");
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var saved = await owner.Http.PutAsJsonAsync($"/notes/{id}",
            new { name = "Saved", text = "Saved", padId = (int?)null, version = read.GetProperty("version").GetUInt32() });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("share").ValueKind);
    }

    /// <summary>
    /// The attacker's try: ask for links that open nothing from one address. After the limit (3 here) the address gets
    /// 429 with Retry-After, for every link, a real one included; another address still reads the real one.
    /// </summary>
    [Fact]
    public async Task Guessing_links_from_one_address_is_stopped_and_the_stop_covers_real_links_too()
    {
        using var replica = api.AnotherReplica(b => b.UseSetting("Notejam:Limits:SharedLinkMissesPerAddress:Permits", "3"));
        using var owner = await ApiUser.CreateAsync(api);
        var token = (await ShareAsync(owner, (await owner.CreateNoteAsync("Guarded")).GetProperty("id").GetInt32())).GetProperty("token").GetString()!;
        using var guesser = BruteForceTests.Client(replica, BruteForceTests.NewAddress());
        using var reader = BruteForceTests.Client(replica, BruteForceTests.NewAddress());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await guesser.GetAsync($"/shared/{Notejam.Api.Notes.NoteShare.NewToken()}")).StatusCode);
        }

        using var refused = await guesser.GetAsync($"/shared/{token}");
        output.WriteLine($"guesses: {string.Join(", ", statuses.Select(s => (int)s))}; then the real link: {(int)refused.StatusCode}");
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/shared/{token}")).StatusCode);
    }

    /// <summary>
    /// The timing attacker's try, measured as TimingOracleTests measures (medians of interleaved requests): a token that
    /// shares 40 of its 43 characters with a live link is not told apart from a random one, so the link cannot be found
    /// a character at a time. Each request comes from an address of its own, so the guessing limit does not answer first.
    /// </summary>
    [Fact]
    public async Task A_near_miss_token_takes_as_long_as_a_random_one()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var token = (await ShareAsync(owner, (await owner.CreateNoteAsync("Timed")).GetProperty("id").GetInt32())).GetProperty("token").GetString()!;
        using var client = api.CreateClient();

        var (nearMiss, random) = await TimingOracleTests.MedianMillisecondsAsync(
            () => GetFromNewAddress(client, $"/shared/{token[..40]}{Flip(token[40..])}"),
            () => GetFromNewAddress(client, $"/shared/{Notejam.Api.Notes.NoteShare.NewToken()}"),
            HttpStatusCode.NotFound, samples: 25);

        output.WriteLine($"a link that opens nothing: near miss {nearMiss:F2} ms, random {random:F2} ms (median)");
        Assert.InRange(nearMiss / random, 0.5, 2.0);
    }

    private static Task<HttpResponseMessage> GetFromNewAddress(HttpClient client, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Forwarded-For", BruteForceTests.NewAddress());
        return client.SendAsync(request);
    }

    private static string Flip(string tail) => new([.. tail.Select(c => c == 'A' ? 'B' : 'A')]);

    private static async Task<JsonElement> ShareAsync(ApiUser owner, int noteId)
    {
        using var response = await owner.Http.PutAsync($"/notes/{noteId}/share", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
