using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// Security review: no storage quota (a 10,000-note import could be repeated without end). Against an API replica
/// with a small quota (Notejam:Quota:Notes, Notejam:Quota:Bytes), over real HTTP.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class QuotaTests(ApiFactory api)
{
    private const string NotesFull = "Your notes have reached the limit of 3 notes. Delete some to make room.";
    private const string BytesFull = "Your notes have reached the limit of 100 bytes of text. Delete some to make room.";

    [Fact]
    public async Task Storage_quota_refuses_creates_past_the_limit_and_saves_nothing()
    {
        using var replica = Replica(notes: 3, bytes: 1_000_000);
        using var user = await UserOn(replica);

        for (var i = 1; i <= 3; i++)
        {
            await (await user.PostAsJsonAsync("/notes", new { name = $"Note {i}", text = "Text" })).JsonAsync(HttpStatusCode.Created);
        }

        var refused = await (await user.PostAsJsonAsync("/notes", new { name = "One too many", text = "Text" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(NotesFull, refused.GetProperty("title").GetString());
        Assert.Equal(3, await CountAsync(user));

        await (await user.DeleteAsync($"/notes/{await FirstIdAsync(user)}")).JsonAsync(HttpStatusCode.NoContent);
        await (await user.PostAsJsonAsync("/notes", new { name = "Room again", text = "Text" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(3, await CountAsync(user));
    }

    [Fact]
    public async Task Storage_quota_counts_utf8_bytes_of_text_on_create_and_on_an_edit_that_grows()
    {
        using var replica = Replica(notes: 100, bytes: 100);
        using var user = await UserOn(replica);

        // 45 characters, 90 bytes: under the limit by characters, near it by bytes.
        var note = await (await user.PostAsJsonAsync("/notes", new { name = "Accents", text = new string('é', 45) })).JsonAsync(HttpStatusCode.Created);
        var refused = await (await user.PostAsJsonAsync("/notes", new { name = "Eleven", text = new string('x', 11) }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(BytesFull, refused.GetProperty("title").GetString());
        Assert.Equal(1, await CountAsync(user));

        var id = note.GetProperty("id").GetInt32();
        var version = note.GetProperty("version").GetUInt32();
        var grown = await (await user.PutAsJsonAsync($"/notes/{id}", new { name = "Accents", text = new string('é', 50), version }))
            .JsonAsync(HttpStatusCode.OK);
        var tooMuch = await (await user.PutAsJsonAsync($"/notes/{id}", new { name = "Accents", text = new string('é', 51), version = grown.GetProperty("version").GetUInt32() }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(BytesFull, tooMuch.GetProperty("title").GetString());
        Assert.Equal(new string('é', 50), (await user.GetFromJsonAsync<JsonElement>($"/notes/{id}")).GetProperty("text").GetString());

        // At the limit, an edit that does not grow (a rename, a shorter text) still works.
        await (await user.PutAsJsonAsync($"/notes/{id}", new { name = "Renamed", text = new string('é', 50), version = grown.GetProperty("version").GetUInt32() }))
            .JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Storage_quota_checks_a_whole_import_before_anything_is_saved()
    {
        using var replica = Replica(notes: 3, bytes: 1_000_000);
        using var user = await UserOn(replica);

        await (await user.PostAsJsonAsync("/users/me/import", Export("First", 2))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, await CountAsync(user));

        var refused = await (await user.PostAsJsonAsync("/users/me/import", Export("Second", 2))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            "This import of 2 notes would take your notes past the limit of 3 notes. Delete some to make room.",
            refused.GetProperty("title").GetString());
        Assert.Equal(2, await CountAsync(user));
        Assert.DoesNotContain("Second", await user.GetStringAsync("/pads"), StringComparison.Ordinal);

        await (await user.PostAsJsonAsync("/users/me/import", Export("Third", 1))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, await CountAsync(user));
        await (await user.PostAsJsonAsync("/users/me/import", Export("Fourth", 1))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(3, await CountAsync(user));
    }

    [Theory]
    [InlineData("Notejam:Quota:Notes", "0")]
    [InlineData("Notejam:Quota:Bytes", "-1")]
    [InlineData("Notejam:Quota:Notes", "many")]
    public void A_quota_that_makes_no_sense_stops_the_api_at_start(string key, string value) =>
        Assert.ThrowsAny<Exception>(() =>
        {
            using var replica = api.AnotherReplica(web => web.UseSetting(key, value));
        });

    private WebApplicationFactory<NotejamDb> Replica(int notes, long bytes) => api.AnotherReplica(web =>
    {
        web.UseSetting("Notejam:Quota:Notes", notes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        web.UseSetting("Notejam:Quota:Bytes", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });

    /// <summary>A new account, registered and signed in on the replica.</summary>
    private static async Task<HttpClient> UserOn(WebApplicationFactory<NotejamDb> replica)
    {
        var http = replica.CreateClient();
        var email = ApiUser.NewEmail();
        const string password = ApiUser.DefaultPassword;
        (await http.PostAsJsonAsync("/users/register", new { email, password, repeatPassword = password })).EnsureSuccessStatusCode();
        var tokens = await ApiUser.SignInAsync(http, email, password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return http;
    }

    private static async Task<int> CountAsync(HttpClient user) =>
        (await user.GetFromJsonAsync<JsonElement>("/notes")).GetProperty("totalCount").GetInt32();

    private static async Task<int> FirstIdAsync(HttpClient user) =>
        (await user.GetFromJsonAsync<JsonElement>("/notes")).GetProperty("items")[0].GetProperty("id").GetInt32();

    private static object Export(string pad, int notes) => new
    {
        format = "notejam-export",
        version = 1,
        pads = new[]
        {
            new
            {
                name = pad,
                notes = Enumerable.Range(1, notes).Select(i => new
                {
                    name = $"{pad} {i}", text = "Imported", createdAt = "2026-01-01T00:00:00Z", updatedAt = "2026-01-01T00:00:00Z",
                }).ToArray(),
            },
        },
    };
}
