using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;
using Npgsql;

namespace Notejam.Tests.Api;

/// <summary>
/// The note counts of / and of each pad are kept by triggers (migration NoteCounts) instead of counted per page. After
/// every kind of write they must equal what PostgreSQL's count(*) says.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class NoteCountTests(ApiFactory api)
{
    [Fact]
    public async Task The_kept_counts_equal_count_star_after_every_kind_of_write()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        await other.CreateNoteAsync("Someone else's");
        var id = (await owner.Http.GetFromJsonAsync<JsonElement>("/users/me")).GetProperty("id").GetInt32();
        var work = (await owner.CreatePadAsync("Work")).GetProperty("id").GetInt32();
        var home = (await owner.CreatePadAsync("Home")).GetProperty("id").GetInt32();

        await CheckAsync("nothing yet");
        var first = (await owner.CreateNoteAsync("One", padId: work)).GetProperty("id").GetInt32();
        await owner.CreateNoteAsync("Two", padId: work);
        await owner.CreateNoteAsync("Loose");
        await CheckAsync("created in pads and in none");

        await MoveAsync(first, home);
        await CheckAsync("moved from one pad to another");
        await MoveAsync(first, null);
        await CheckAsync("moved out of its pad");
        await MoveAsync(first, work);
        await CheckAsync("moved into a pad");

        var export = await owner.Http.GetFromJsonAsync<JsonElement>("/users/me/export");
        (await owner.Http.PostAsJsonAsync("/users/me/import", export)).EnsureSuccessStatusCode();
        await CheckAsync("imported");

        (await owner.Http.DeleteAsync($"/notes/{first}")).EnsureSuccessStatusCode();
        await CheckAsync("a note deleted");
        (await owner.Http.DeleteAsync($"/pads/{work}")).EnsureSuccessStatusCode();
        await CheckAsync("a pad deleted with its notes");

        async Task MoveAsync(int note, int? padId)
        {
            var current = await owner.Http.GetFromJsonAsync<JsonElement>($"/notes/{note}");
            (await owner.Http.PutAsJsonAsync($"/notes/{note}", new
            {
                name = current.GetProperty("name").GetString(), text = $"Moved to {padId}, a text of another length", padId, version = current.GetProperty("version").GetUInt32(),
            })).EnsureSuccessStatusCode();
        }

        async Task CheckAsync(string after)
        {
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            var truth = new Dictionary<int, long>();
            await using (var command = new NpgsqlCommand("""SELECT p."Id", count(n."Id") FROM "Pads" p LEFT JOIN "Notes" n ON n."PadId" = p."Id" WHERE p."OwnerId" = @id GROUP BY p."Id" """, connection))
            {
                command.Parameters.AddWithValue("id", id);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    truth[reader.GetInt32(0)] = reader.GetInt64(1);
                }
            }

            await using var all = new NpgsqlCommand("""SELECT count(*) FROM "Notes" WHERE "OwnerId" = @id""", connection);
            all.Parameters.AddWithValue("id", id);
            var total = (long)(await all.ExecuteScalarAsync())!;

            // The quota's bytes (NoteQuota) beside the counts: what sum(octet_length) says, text edits included.
            await using (var bytes = new NpgsqlCommand(
                """SELECT coalesce((SELECT sum(octet_length("Text")) FROM "Notes" WHERE "OwnerId" = @id), 0) = coalesce((SELECT "NoteBytes" FROM "DataVersions" WHERE "UserId" = @id), 0)""",
                connection))
            {
                bytes.Parameters.AddWithValue("id", id);
                Assert.True((bool)(await bytes.ExecuteScalarAsync())!, $"after {after}: the kept bytes differ from sum(octet_length)");
            }

            var pads = await owner.Http.GetFromJsonAsync<JsonElement>("/pads");
            Assert.Equal(truth.OrderBy(t => t.Key), pads.EnumerateArray()
                .Select(p => KeyValuePair.Create(p.GetProperty("id").GetInt32(), (long)p.GetProperty("noteCount").GetInt32())).OrderBy(t => t.Key));
            Assert.True(total == (await owner.Http.GetFromJsonAsync<JsonElement>("/notes")).GetProperty("totalCount").GetInt32(), $"after {after}: / counts");
            foreach (var (pad, count) in truth)
            {
                Assert.True(count == (await owner.Http.GetFromJsonAsync<JsonElement>($"/notes?padId={pad}")).GetProperty("totalCount").GetInt32(),
                    $"after {after}: pad {pad}");
                Assert.True(count == (await owner.Http.GetFromJsonAsync<JsonElement>($"/pads/{pad}")).GetProperty("noteCount").GetInt32(),
                    $"after {after}: /pads/{pad}");
            }
        }
    }
}
