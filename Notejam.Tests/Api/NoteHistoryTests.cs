using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>A note's history (issue 16, item 3): every save keeps what the note was, newest first, restorable.</summary>
[Collection(ApiTests.Name)]
public sealed class NoteHistoryTests(ApiFactory api)
{
    [Fact]
    public async Task Every_save_keeps_what_the_note_was_newest_first_with_the_one_before_it()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = (await owner.CreatePadAsync("Trips")).GetProperty("id").GetInt32();
        var note = await owner.CreateNoteAsync("Plan", "one", pad);
        var id = note.GetProperty("id").GetInt32();
        Assert.Equal(0, (await VersionsAsync(owner, id)).GetProperty("totalCount").GetInt32());

        note = await EditAsync(owner, note, "Plan", "one\ntwo", pad);
        var unchanged = await EditAsync(owner, note, "Plan", "one\ntwo", pad);
        note = await EditAsync(owner, unchanged, "Plan B", "one\nthree", null);

        var versions = await VersionsAsync(owner, id);
        Assert.Equal(2, versions.GetProperty("totalCount").GetInt32());
        var items = versions.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Plan", "Plan"], items.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal("Trips", items[0].GetProperty("pad").GetProperty("name").GetString());
        var newest = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{items[0].GetProperty("id").GetInt64()}");
        Assert.Equal("one\ntwo", newest.GetProperty("text").GetString());
        Assert.Equal("one", newest.GetProperty("previousText").GetString());
        var oldest = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{items[1].GetProperty("id").GetInt64()}");
        Assert.Equal("one", oldest.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, oldest.GetProperty("previousText").ValueKind);
        Assert.True(newest.GetProperty("savedAt").GetDateTimeOffset() > oldest.GetProperty("savedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Restoring_a_version_is_itself_a_save_and_a_stale_restore_is_a_409()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = (await owner.CreatePadAsync("Home")).GetProperty("id").GetInt32();
        var note = await owner.CreateNoteAsync("Shopping", "milk", pad);
        var id = note.GetProperty("id").GetInt32();
        var readBefore = note.GetProperty("version").GetUInt32();
        note = await EditAsync(owner, note, "Shopping", "milk\nbread", null);
        var first = (await VersionsAsync(owner, id)).GetProperty("items")[0].GetProperty("id").GetInt64();

        using var stale = await owner.Http.PostAsJsonAsync($"/notes/{id}/versions/{first}/restore", new { version = readBefore });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        using var restored = await owner.Http.PostAsJsonAsync($"/notes/{id}/versions/{first}/restore", new { version = note.GetProperty("version").GetUInt32() });
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var now = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}");
        Assert.Equal("milk", now.GetProperty("text").GetString());
        Assert.Equal(pad, now.GetProperty("pad").GetProperty("id").GetInt32());

        var versions = (await VersionsAsync(owner, id)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        var kept = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{versions[0].GetProperty("id").GetInt64()}");
        Assert.Equal("milk\nbread", kept.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_note_keeps_only_the_newest_versions_the_setting_allows_the_oldest_dropped_as_it_saves()
    {
        using var replica = api.AnotherReplica(b => b.UseSetting("Notejam:History:VersionsPerNote", "3"));
        using var owner = await ApiUser.CreateAsync(api);
        using var http = replica.CreateClient();
        http.DefaultRequestHeaders.Authorization = owner.Http.DefaultRequestHeaders.Authorization;
        var note = await owner.CreateNoteAsync("Counter", "0");
        var id = note.GetProperty("id").GetInt32();
        for (var i = 1; i <= 6; i++)
        {
            using var saved = await http.PutAsJsonAsync($"/notes/{id}", new { name = "Counter", text = $"{i}", padId = (int?)null, version = note.GetProperty("version").GetUInt32() });
            note = await saved.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        }

        var versions = (await VersionsAsync(owner, id)).GetProperty("items").EnumerateArray().ToList();
        var texts = new List<string>();
        foreach (var version in versions)
        {
            texts.Add((await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{version.GetProperty("id").GetInt64()}")).GetProperty("text").GetString()!);
        }

        Assert.Equal(["5", "4", "3"], texts);
    }

    /// <summary>
    /// The disk the quota promises (Notejam:Quota:Bytes) is not 50 times larger through history: an account keeps at most
    /// BytesPerAccount of version texts (5 bytes here), its oldest versions going first, whichever note they are of.
    /// </summary>
    [Fact]
    public async Task An_account_keeps_at_most_its_history_bytes_dropping_its_oldest_versions_across_notes()
    {
        using var replica = api.AnotherReplica(b => b.UseSetting("Notejam:History:BytesPerAccount", "5"));
        using var owner = await ApiUser.CreateAsync(api);
        using var http = replica.CreateClient();
        http.DefaultRequestHeaders.Authorization = owner.Http.DefaultRequestHeaders.Authorization;
        var a = await owner.CreateNoteAsync("A", "a1");
        var b = await owner.CreateNoteAsync("B", "b1");
        a = await EditAsync(http, a, "A", "a2", null);
        await EditAsync(http, a, "A", "a3", null);
        await EditAsync(http, b, "B", "b2", null);

        Assert.Equal(["a2"], await TextsAsync(owner, a.GetProperty("id").GetInt32()));
        Assert.Equal(["b1"], await TextsAsync(owner, b.GetProperty("id").GetInt32()));
        var me = (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me")).GetProperty("id").GetInt32();
        Assert.Equal(4, await KeptHistoryBytesAsync(me));
    }

    [Fact]
    public async Task The_kept_history_bytes_equal_what_the_versions_hold_after_every_kind_of_write()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var me = (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me")).GetProperty("id").GetInt32();
        var pad = (await owner.CreatePadAsync("Pad")).GetProperty("id").GetInt32();
        var note = await owner.CreateNoteAsync("Ünïcödé", "première", pad);
        var id = note.GetProperty("id").GetInt32();
        note = await EditAsync(owner.Http, note, "Ünïcödé", "deuxième 💩", null);
        await CheckAsync("an edit");
        var first = (await VersionsAsync(owner, id)).GetProperty("items")[0].GetProperty("id").GetInt64();
        (await owner.Http.PostAsJsonAsync($"/notes/{id}/versions/{first}/restore", new { version = note.GetProperty("version").GetUInt32() })).EnsureSuccessStatusCode();
        await CheckAsync("a restore");
        var export = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/export?history=true");
        (await owner.Http.PostAsJsonAsync("/users/me/import", export)).EnsureSuccessStatusCode();
        await CheckAsync("an import with history");
        (await owner.Http.DeleteAsync($"/notes/{id}")).EnsureSuccessStatusCode();
        await CheckAsync("a note deleted");
        // The restore put the note back in its pad, so the import's copy is in it too: deleted with the pad.
        (await owner.Http.DeleteAsync($"/pads/{pad}")).EnsureSuccessStatusCode();
        await CheckAsync("a pad deleted with a note and its history");

        async Task CheckAsync(string after)
        {
            using var scope = api.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<NotejamDb>();
            var truth = await db.Database.SqlQuery<long>(
                $"""SELECT coalesce(sum(octet_length("Text")), 0)::bigint AS "Value" FROM "NoteVersions" WHERE "OwnerId" = {me}""").SingleAsync();
            Assert.True(truth == await KeptHistoryBytesAsync(me), $"after {after}: kept {await KeptHistoryBytesAsync(me)}, the versions hold {truth}");
        }
    }

    [Fact]
    public async Task Another_persons_history_is_a_404_and_so_is_a_version_of_another_note()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Mine", "v1");
        var id = note.GetProperty("id").GetInt32();
        note = await EditAsync(owner, note, "Mine", "v2", null);
        var version = (await VersionsAsync(owner, id)).GetProperty("items")[0].GetProperty("id").GetInt64();
        var otherNote = (await owner.CreateNoteAsync("Also mine")).GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/notes/{id}/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/notes/{id}/versions/{version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await other.Http.PostAsJsonAsync($"/notes/{id}/versions/{version}/restore", new { version = note.GetProperty("version").GetUInt32() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/notes/{otherNote}/versions/{version}")).StatusCode);
        Assert.Equal("v2", (await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}")).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Deleting_a_pad_a_note_or_the_account_takes_their_history_with_them()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var me = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me");
        var oldPad = (await owner.CreatePadAsync("Old pad")).GetProperty("id").GetInt32();
        var newPad = (await owner.CreatePadAsync("New pad")).GetProperty("id").GetInt32();
        var moved = await owner.CreateNoteAsync("Moved", "v1", oldPad);
        await EditAsync(owner, moved, "Moved", "v2", newPad);
        var deleted = await owner.CreateNoteAsync("Deleted", "v1");
        await EditAsync(owner, deleted, "Deleted", "v2", null);

        // The pad the moved note was in goes; its version stays, in no pad.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/pads/{oldPad}")).StatusCode);
        var version = (await VersionsAsync(owner, moved.GetProperty("id").GetInt32())).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, version.GetProperty("pad").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/notes/{deleted.GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Equal(1, await KeptVersionsAsync(me.GetProperty("id").GetInt32()));

        using var deleting = new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { password = owner.Password }) };
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.SendAsync(deleting)).StatusCode);
        Assert.Equal(0, await KeptVersionsAsync(me.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task An_export_with_history_carries_it_and_an_import_keeps_it_in_another_account()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = (await owner.CreatePadAsync("Kitchen")).GetProperty("id").GetInt32();
        var note = await owner.CreateNoteAsync("Recipe", "flour", pad);
        note = await EditAsync(owner, note, "Recipe", "flour\nwater", null);
        await EditAsync(owner, note, "Bread", "flour\nwater\nsalt", null);

        var plain = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/export");
        Assert.False(plain.GetProperty("notes")[0].TryGetProperty("history", out _), "history only when asked for");
        var export = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/export?history=true");
        var history = export.GetProperty("notes")[0].GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["flour\nwater", "flour"], history.Select(v => v.GetProperty("text").GetString()));
        Assert.Equal("Kitchen", history[1].GetProperty("pad").GetString());

        using var fresh = await ApiUser.CreateAsync(api);
        using var imported = await fresh.Http.PostAsJsonAsync("/users/me/import", export);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var notes = await fresh.Http.GetFromJsonAsync<JsonElement>("/notes");
        var id = notes.GetProperty("items")[0].GetProperty("id").GetInt32();
        var kept = (await VersionsAsync(fresh, id)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, kept.Count);
        var oldest = await fresh.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{kept[1].GetProperty("id").GetInt64()}");
        Assert.Equal("flour", oldest.GetProperty("text").GetString());
        Assert.Equal("Kitchen", oldest.GetProperty("pad").GetProperty("name").GetString());
        Assert.Equal(history[1].GetProperty("savedAt").GetDateTimeOffset(), oldest.GetProperty("savedAt").GetDateTimeOffset());
        var again = await fresh.Http.GetFromJsonAsync<JsonElement>("/users/me/export?history=true");
        Assert.Equal(export.GetProperty("notes").ToString(), again.GetProperty("notes").ToString());
    }

    [Fact]
    public async Task An_import_with_a_bad_version_names_it_and_changes_nothing()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var document = new
        {
            format = "notejam-export", version = 1,
            notes = new[]
            {
                new
                {
                    name = "Fine", text = "Fine", createdAt = "2026-11-01T10:00:00Z", updatedAt = "2026-11-02T10:00:00Z",
                    history = new[] { new { name = "Earlier", text = "  ", pad = (string?)null, savedAt = "2026-11-01T10:00:00Z" } },
                },
            },
        };

        using var refused = await owner.Http.PostAsJsonAsync("/users/me/import", document);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("notes[0].history[0].text", out _), problem.ToString());
        Assert.Equal(0, (await owner.Http.GetFromJsonAsync<JsonElement>("/notes")).GetProperty("totalCount").GetInt32());
    }

    private async Task<long> KeptHistoryBytesAsync(int ownerId)
    {
        using var scope = api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<NotejamDb>().DataVersions.Where(v => v.UserId == ownerId)
            .Select(v => v.HistoryBytes).SingleAsync();
    }

    private static async Task<List<string>> TextsAsync(ApiUser owner, int id)
    {
        var texts = new List<string>();
        foreach (var version in (await VersionsAsync(owner, id)).GetProperty("items").EnumerateArray())
        {
            texts.Add((await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions/{version.GetProperty("id").GetInt64()}")).GetProperty("text").GetString()!);
        }

        return texts;
    }

    private async Task<int> KeptVersionsAsync(int ownerId)
    {
        using var scope = api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<NotejamDb>().NoteVersions.CountAsync(v => v.OwnerId == ownerId);
    }

    private static Task<JsonElement> VersionsAsync(ApiUser owner, int id) => owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{id}/versions");

    private static Task<JsonElement> EditAsync(ApiUser owner, JsonElement note, string name, string text, int? padId) =>
        EditAsync(owner.Http, note, name, text, padId);

    private static async Task<JsonElement> EditAsync(HttpClient http, JsonElement note, string name, string text, int? padId)
    {
        using var saved = await http.PutAsJsonAsync($"/notes/{note.GetProperty("id").GetInt32()}",
            new { name, text, padId, version = note.GetProperty("version").GetUInt32() });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        return await saved.Content.ReadFromJsonAsync<JsonElement>();
    }
}
