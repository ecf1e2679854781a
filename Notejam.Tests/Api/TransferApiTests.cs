using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Api.Data;
using Notejam.Api.Notes;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class TransferApiTests(ApiFactory api, ITestOutputHelper output)
{
    [Fact]
    public async Task The_json_export_holds_every_pad_and_note_of_mine_and_nothing_else()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var work = await owner.CreatePadAsync("Work");
        await owner.CreatePadAsync("Empty");
        var plans = await owner.CreateNoteAsync("Plans", "1. Ship it\n2. Rest", Id(work));
        await owner.CreateNoteAsync("Ünïcödé \"quoted\"", "Text with 💩", Id(work));
        await owner.CreateNoteAsync("Loose", "No pad");
        await other.CreateNoteAsync("Not mine", "Private", Id(await other.CreatePadAsync("Work")));

        var response = await owner.Http.GetAsync("/users/me/export");

        var export = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"notejam-{DateTime.UtcNow:yyyy-MM-dd}.json", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("notejam-export", export.GetProperty("format").GetString());
        Assert.Equal(1, export.GetProperty("version").GetInt32());
        Assert.True(DateTimeOffset.UtcNow - export.GetProperty("exportedAt").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
        Assert.Equal(["Empty", "Work"], Names(export.GetProperty("pads")));
        Assert.Empty(export.GetProperty("pads")[0].GetProperty("notes").EnumerateArray());
        var workNotes = export.GetProperty("pads")[1].GetProperty("notes");
        Assert.Equal(["Plans", "Ünïcödé \"quoted\""], Names(workNotes));
        Assert.Equal("1. Ship it\n2. Rest", workNotes[0].GetProperty("text").GetString());
        Assert.Equal(plans.GetProperty("createdAt").GetDateTimeOffset(), workNotes[0].GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(plans.GetProperty("updatedAt").GetDateTimeOffset(), workNotes[0].GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(["Loose"], Names(export.GetProperty("notes")));
        Assert.DoesNotContain("Not mine", export.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_zip_export_has_a_folder_per_pad_and_safe_unique_file_names()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Work/Home");
        await owner.CreatePadAsync("No pad");
        await owner.CreatePadAsync("Empty");
        await owner.CreateNoteAsync("Plans", "# July\nShip it", Id(pad));
        await owner.CreateNoteAsync("plans", "Lower case", Id(pad));
        await owner.CreateNoteAsync("a:b*c?", "Unsafe", Id(pad));
        await owner.CreateNoteAsync("CON", "Reserved on Windows");
        await owner.CreateNoteAsync("...", "Only dots");

        var response = await owner.Http.GetAsync("/users/me/export.zip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"notejam-{DateTime.UtcNow:yyyy-MM-dd}.zip", response.Content.Headers.ContentDisposition?.FileNameStar);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        Assert.Equal(
            ["Empty/", "No pad (2)/", "No pad/", "No pad/Untitled.md", "No pad/_CON.md",
                "Work_Home/", "Work_Home/Plans.md", "Work_Home/a_b_c_.md", "Work_Home/plans (2).md"],
            zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        var plans = await new StreamReader(zip.GetEntry("Work_Home/Plans.md")!.Open()).ReadToEndAsync();
        Assert.StartsWith("---\nname: \"Plans\"\npad: \"Work/Home\"\ncreated: ", plans, StringComparison.Ordinal);
        Assert.EndsWith("---\n\n# July\nShip it", plans, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_imported_into_a_fresh_account_recreates_it_exactly()
    {
        using var source = await ApiUser.CreateAsync(api);
        var work = await source.CreatePadAsync("Work");
        await source.CreatePadAsync("Twin");
        await source.CreatePadAsync("Twin");
        await source.CreatePadAsync("Empty");
        await source.CreateNoteAsync("Plans", "1. Ship it", Id(work));
        var edited = await source.CreateNoteAsync("Edited later", "Before", Id(work));
        await source.Http.PutJsonAsync($"/notes/{Id(edited)}", new { name = "Edited later", text = "After", padId = Id(work), version = edited.GetProperty("version").GetUInt32() });
        await source.CreateNoteAsync("Loose", "Ünïcödé 💩 \"quotes\" <tags> \\ back\ttab");
        var export = await ExportAsync(source);
        using var fresh = await ApiUser.CreateAsync(api);

        var imported = await (await fresh.Http.PostAsJsonAsync("/users/me/import", export)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(3, imported.GetProperty("notesImported").GetInt32());
        Assert.Equal(4, imported.GetProperty("padsCreated").GetInt32());
        Assert.Equal(0, imported.GetProperty("padsMerged").GetInt32());
        var again = await ExportAsync(fresh);
        Assert.Equal(export.GetProperty("pads").GetRawText(), again.GetProperty("pads").GetRawText());
        Assert.Equal(export.GetProperty("notes").GetRawText(), again.GetProperty("notes").GetRawText());
        Assert.Equal(await NotesAsync(source), await NotesAsync(fresh));
        Assert.Equal("After", again.GetProperty("pads")[3].GetProperty("notes")[1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_imported_pad_joins_my_pad_of_the_same_name()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var work = await owner.CreatePadAsync("Work");
        await owner.CreateNoteAsync("Already here", "Old", Id(work));
        var document = Document(
            pads: [new { name = "Work", notes = new[] { Note("Imported", "New") } }, new { name = "work", notes = Array.Empty<object>() }],
            notes: [Note("Loose", "Loose")]);

        var imported = await (await owner.Http.PostAsJsonAsync("/users/me/import", document)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, imported.GetProperty("padsMerged").GetInt32());
        Assert.Equal(1, imported.GetProperty("padsCreated").GetInt32());
        var pads = await (await owner.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["work", "Work"], Names(pads));
        Assert.Equal(2, pads.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == Id(work)).GetProperty("noteCount").GetInt32());
        var loose = (await NotesAsync(owner)).Single(n => n.Name == "Loose");
        Assert.Null(loose.Pad);
        Assert.Equal(DateTimeOffset.Parse("2024-02-29T23:59:59.123456Z", System.Globalization.CultureInfo.InvariantCulture), loose.CreatedAt);
    }

    public static TheoryData<string, string> InvalidDocuments => new()
    {
        { """{"format":"evernote","version":1}""", "format" },
        { """{"format":"notejam-export","version":2}""", "version" },
        { """{"format":"notejam-export"}""", "version" },
        { """{"format":"notejam-export","version":1,"pads":[{"name":"Fine","notes":[]},{"name":" "}]}""", "pads[1].name" },
        { """{"format":"notejam-export","version":1,"pads":[{"name":"Fine","notes":[{"name":"Fine","text":"t","createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z"},{"text":"t","createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z"}]}]}""", "pads[0].notes[1].name" },
        { $$"""{"format":"notejam-export","version":1,"pads":[{"name":"{{new string('p', 101)}}"}]}""", "pads[0].name" },
        { $$"""{"format":"notejam-export","version":1,"notes":[{"name":"n","text":"{{new string('t', 100_001)}}","createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z"}]}""", "notes[0].text" },
        { """{"format":"notejam-export","version":1,"notes":[{"name":"n","text":"t","updatedAt":"2020-01-01T00:00:00Z"}]}""", "notes[0].createdAt" },
        { """{"format":"notejam-export","version":1,"notes":[{"name":"n","text":"t","createdAt":"2999-01-01T00:00:00Z","updatedAt":"2999-01-01T00:00:00Z"}]}""", "notes[0].createdAt" },
        { """{"format":"notejam-export","version":1,"notes":[{"name":"n","text":"t","createdAt":"2021-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z"}]}""", "notes[0].updatedAt" },
        { """{"format":"notejam-export","version":1,"notes":[null]}""", "notes[0]" },
        { """{"format":"notejam-export","version":1,"pads":[{"name":"Fine","notes":[{"name":"a\u0000b"}]}]}""", "pads[0].notes[0].name" },
        { """{"format":"notejam-export","version":1,"pads":[{"name":"Fine","notes":[{"name":"n","createdAt":"yesterday"}]}]}""", "pads[0].notes[0].createdAt" },
        { """{"format":"notejam-export","version":1,"pads":{"name":"Not a list"}}""", "pads" },
        { """{"format":"notejam-export","version":1,"pads":[{"name":"Cut off" """, "pads[0]" },
        { "null", "" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public async Task An_invalid_import_names_the_first_bad_item_and_changes_nothing(string json, string path)
    {
        using var owner = await ApiUser.CreateAsync(api);
        await owner.CreatePadAsync("Fine");

        var response = await owner.Http.PostAsync("/users/me/import", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        var first = problem.GetProperty("errors").EnumerateObject().First();
        Assert.Equal(path, first.Name);
        Assert.Equal(path.Length == 0 ? first.Value[0].GetString() : $"{path}: {first.Value[0].GetString()}", problem.GetProperty("detail").GetString());
        Assert.Equal("The file cannot be imported; nothing was changed.", problem.GetProperty("title").GetString());
        Assert.Equal(["Fine"], Names(await (await owner.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK)));
        Assert.Empty(await NotesAsync(owner));
    }

    [Fact]
    public async Task An_import_holds_at_most_10000_notes_and_20_MB()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var many = Document(notes: [.. Enumerable.Repeat(Note("n", "t"), 10_001)]);
        Assert.Equal(["notes"], await (await owner.Http.PostAsJsonAsync("/users/me/import", many)).InvalidFieldsAsync());

        // Declared up front and sent only once the API agrees, as careful clients do: the answer comes before the body.
        using var huge = new HttpRequestMessage(HttpMethod.Post, "/users/me/import")
        {
            Content = new ByteArrayContent(new byte[21 * 1024 * 1024]) { Headers = { ContentType = new("application/json") } },
            Headers = { ExpectContinue = true },
        };
        var tooLarge = await (await owner.Http.SendAsync(huge)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("The request body is too large.", tooLarge.GetProperty("detail").GetString());

        // The most notes an import takes, far beyond the 1 MB of the other endpoints, within its 20 MB.
        var largest = Document(
            pads: [new { name = "Half", notes = Enumerable.Range(0, 5_000).Select(i => Note($"Note {i}", new string('t', 1_000))).ToArray() }],
            notes: [.. Enumerable.Range(0, 5_000).Select(i => Note($"Loose {i}", new string('t', 1_000)))]);
        var clock = Stopwatch.StartNew();
        var imported = await (await owner.Http.PostAsJsonAsync("/users/me/import", largest)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(10_000, imported.GetProperty("notesImported").GetInt32());
        Assert.Equal(10_000, (await (await owner.Http.GetAsync("/notes?pageSize=1")).JsonAsync(HttpStatusCode.OK)).GetProperty("totalCount").GetInt32());
        output.WriteLine($"10,000 notes of 1 KB (10.5 MB of JSON) imported in {clock.ElapsedMilliseconds:N0} ms");
        await (await owner.Http.PostAsync("/users/me/import", new StringContent("{}", Encoding.UTF8, "text/plain")))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    /// <summary>
    /// Both formats of an account of 3,000 notes (NOTEJAM_EXPORT_NOTES for more), read as a browser reads a download;
    /// prints the time, the size and how much the heap of this process (API and test) held at most meanwhile.
    /// </summary>
    [Fact]
    public async Task A_large_account_is_exported_as_a_stream_in_both_formats()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var me = await (await owner.Http.GetAsync("/users/me")).JsonAsync(HttpStatusCode.OK);
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOTEJAM_EXPORT_NOTES"), out var n) ? n : 3_000;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotejamDb>();
            var pad = new Notejam.Api.Pads.Pad { OwnerId = me.GetProperty("id").GetInt32(), Name = "Big" };
            var text = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet. ", 150));
            db.Notes.AddRange(Enumerable.Range(0, count).Select(i => new Note
            {
                OwnerId = pad.OwnerId, Pad = i % 2 == 0 ? pad : null, Name = $"Note {i}", Text = text,
                CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(i), UpdatedAt = DateTimeOffset.UnixEpoch.AddMinutes(i),
            }));
            await db.SaveChangesAsync();
        }

        var json = await DrainAsync(owner.Http, "/users/me/export");
        var zip = await DrainAsync(owner.Http, "/users/me/export.zip");

        var document = await ExportAsync(owner);
        Assert.Equal(count / 2, document.GetProperty("pads")[0].GetProperty("notes").GetArrayLength());
        Assert.Equal(count - (count / 2), document.GetProperty("notes").GetArrayLength());
        using var zipped = await owner.Http.GetAsync("/users/me/export.zip");
        using var archive = new ZipArchive(await zipped.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        Assert.Equal(count + 2, archive.Entries.Count);
        output.WriteLine($"{count:N0} notes of 4.2 KB: JSON {json}; zip {zip}");
    }

    [Fact]
    public async Task The_openapi_document_describes_export_import_and_deleting_the_account()
    {
        using var anonymous = api.CreateClient();

        var paths = (await (await anonymous.GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK)).GetProperty("paths");

        Assert.True(Content(paths, "/users/me/export", "get", "responses", "200").TryGetProperty("application/json", out var json));
        Assert.Equal("#/components/schemas/TransferDocument", json.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(Content(paths, "/users/me/export.zip", "get", "responses", "200").TryGetProperty("application/zip", out _));
        Assert.True(Content(paths, "/users/me/import", "post", "requestBody").TryGetProperty("application/json", out _));
        Assert.True(Content(paths, "/users/me/import", "post", "responses", "400").TryGetProperty("application/problem+json", out _));
        Assert.True(Content(paths, "/users/me", "delete", "requestBody").TryGetProperty("application/json", out _));
    }

    /// <summary>Reads a download to its end; samples the heap that survives a full collection every megabyte.</summary>
    private static async Task<string> DrainAsync(HttpClient http, string url)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Null(response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long bytes = 0, peak = 0, sampled = 0;
        for (int read; (read = await body.ReadAsync(buffer)) > 0;)
        {
            bytes += read;
            if (bytes - sampled >= 1024 * 1024)
            {
                sampled = bytes;
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        return $"{bytes / 1024.0 / 1024:N1} MB in {clock.ElapsedMilliseconds:N0} ms, heap +{peak / 1024.0 / 1024:N1} MB at most";
    }

    private static object Note(string name, string text) =>
        new { name, text, createdAt = "2024-02-29T23:59:59.123456Z", updatedAt = "2024-03-01T08:00:00Z" };

    private static object Document(object[]? pads = null, object[]? notes = null) =>
        new { format = "notejam-export", version = 1, exportedAt = DateTimeOffset.UtcNow, pads = pads ?? [], notes = notes ?? [] };

    private static async Task<JsonElement> ExportAsync(ApiUser user) =>
        await (await user.Http.GetAsync("/users/me/export")).JsonAsync(HttpStatusCode.OK);

    /// <summary>Every note as the API lists it, without its id: name, pad name, times and text, by name.</summary>
    private static async Task<List<(string Name, string? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Text)>> NotesAsync(ApiUser user)
    {
        var page = await (await user.Http.GetAsync("/notes?order=name&pageSize=100")).JsonAsync(HttpStatusCode.OK);
        var notes = new List<(string, string?, DateTimeOffset, DateTimeOffset, string)>();
        foreach (var note in page.GetProperty("items").EnumerateArray())
        {
            var full = await (await user.Http.GetAsync($"/notes/{Id(note)}")).JsonAsync(HttpStatusCode.OK);
            notes.Add((note.GetProperty("name").GetString()!,
                note.GetProperty("pad").ValueKind == JsonValueKind.Null ? null : note.GetProperty("pad").GetProperty("name").GetString(),
                note.GetProperty("createdAt").GetDateTimeOffset(), note.GetProperty("updatedAt").GetDateTimeOffset(),
                full.GetProperty("text").GetString()!));
        }

        return notes;
    }

    private static JsonElement Content(JsonElement paths, params string[] at) =>
        at.Aggregate(paths, (element, name) => element.GetProperty(name)).GetProperty("content");

    private static string[] Names(JsonElement items) => [.. items.EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];

    private static int Id(JsonElement item) => item.GetProperty("id").GetInt32();
}
