using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class NotesApiTests(ApiFactory api)
{
    [Fact]
    public async Task A_note_is_created_in_a_pad_or_in_none()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");

        var inPad = await (await owner.Http.PostAsJsonAsync("/notes", new { name = "Groceries", text = "Milk", padId = Id(pad) }))
            .JsonAsync(HttpStatusCode.Created);
        var loose = await (await owner.Http.PostAsJsonAsync("/notes", new { name = "Ideas", text = "Many" }))
            .JsonAsync(HttpStatusCode.Created);

        Assert.Equal("Personal", inPad.GetProperty("pad").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, loose.GetProperty("pad").ValueKind);
        var read = await (await owner.Http.GetAsync(Url(inPad))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Milk", read.GetProperty("text").GetString());
        Assert.Equal(inPad.GetProperty("createdAt").GetDateTimeOffset(), read.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.True(DateTimeOffset.UtcNow - read.GetProperty("createdAt").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_note_is_not_created_by_an_anonymous_user()
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/notes", new { name = "Groceries", text = "Milk" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("text")]
    public async Task A_note_is_not_created_with_a_required_field_missing(string missing)
    {
        using var owner = await ApiUser.CreateAsync(api);
        var form = new Dictionary<string, string?> { ["name"] = "Groceries", ["text"] = "Milk" };
        form[missing] = " ";

        Assert.Equal([missing], await (await owner.Http.PostAsJsonAsync("/notes", form)).InvalidFieldsAsync());
        Assert.Equal(0, (await ListAsync(owner)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Note_fields_have_their_limits()
    {
        using var owner = await ApiUser.CreateAsync(api);

        var tooLong = await owner.Http.PostAsJsonAsync("/notes", new { name = new string('n', 101), text = new string('t', 100_001) });

        Assert.Equal(["name", "text"], await tooLong.InvalidFieldsAsync());
        await (await owner.Http.PostAsJsonAsync("/notes", new { name = new string('n', 100), text = new string('t', 100_000) }))
            .JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_note_is_not_added_into_another_users_pad()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var foreignPad = await other.CreatePadAsync("Private");

        var response = await owner.Http.PostAsJsonAsync("/notes", new { name = "Sneaky", text = "In", padId = Id(foreignPad) });
        var missingPad = await owner.Http.PostAsJsonAsync("/notes", new { name = "Sneaky", text = "In", padId = int.MaxValue });

        var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal((await missingPad.ProblemAsync(HttpStatusCode.NotFound)).GetProperty("title").GetString(), problem.GetProperty("title").GetString());
        Assert.DoesNotContain("Private", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, (await ListAsync(owner)).GetProperty("totalCount").GetInt32());
        Assert.Equal(0, (await (await other.Http.GetAsync(Url(foreignPad, "pads"))).JsonAsync(HttpStatusCode.OK)).GetProperty("noteCount").GetInt32());
    }

    [Fact]
    public async Task A_note_is_edited_by_its_owner()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        var note = await owner.CreateNoteAsync("Groceries", "Milk");

        var edited = await (await owner.Http.PutJsonAsync(Url(note),
            new { name = "Shopping", text = "Milk, eggs", padId = Id(pad), version = Version(note) })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Shopping", edited.GetProperty("name").GetString());
        Assert.Equal("Milk, eggs", edited.GetProperty("text").GetString());
        Assert.Equal(Id(pad), edited.GetProperty("pad").GetProperty("id").GetInt32());
        Assert.Equal(note.GetProperty("createdAt").GetDateTimeOffset(), edited.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(edited.GetProperty("updatedAt").GetDateTimeOffset() > note.GetProperty("updatedAt").GetDateTimeOffset());
        var read = await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(edited.GetRawText(), read.GetRawText());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("text")]
    [InlineData("version")]
    public async Task A_note_is_not_edited_with_a_field_missing(string missing)
    {
        using var owner = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");
        var form = new Dictionary<string, object?> { ["name"] = "Shopping", ["text"] = "Eggs", ["version"] = Version(note) };
        form[missing] = null;

        Assert.Equal([missing], await (await owner.Http.PutJsonAsync(Url(note), form)).InvalidFieldsAsync());
        Assert.Equal("Groceries", (await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_note_is_not_edited_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");

        var response = await other.Http.PutJsonAsync(Url(note), new { name = "Mine now", text = "Ha", version = Version(note) });

        await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Groceries", (await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_note_is_not_moved_into_another_users_pad()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var foreignPad = await other.CreatePadAsync("Private");
        var note = await owner.CreateNoteAsync("Groceries", "Milk");

        var response = await owner.Http.PutJsonAsync(Url(note), new { name = "Groceries", text = "Milk", padId = Id(foreignPad), version = Version(note) });

        await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(JsonValueKind.Null, (await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK)).GetProperty("pad").ValueKind);
    }

    [Fact]
    public async Task A_note_is_viewed_by_its_owner_and_not_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Secret plans", "World domination");

        await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK);
        var problem = await (await other.Http.GetAsync(Url(note))).ProblemAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain("Secret", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, (await ListAsync(other)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_note_is_deleted_by_its_owner()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync(Url(note))).StatusCode);

        await (await owner.Http.GetAsync(Url(note))).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Http.DeleteAsync(Url(note))).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_note_is_not_deleted_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");

        await (await other.Http.DeleteAsync(Url(note))).ProblemAsync(HttpStatusCode.NotFound);

        await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_update_based_on_a_stale_copy_is_refused()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Groceries", "Milk");
        await (await owner.Http.PutJsonAsync(Url(note), new { name = "Groceries", text = "Milk, eggs", version = Version(note) }))
            .JsonAsync(HttpStatusCode.OK);

        var stale = await owner.Http.PutJsonAsync(Url(note), new { name = "Groceries", text = "Milk, bread", version = Version(note) });

        await stale.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Milk, eggs", (await (await owner.Http.GetAsync(Url(note))).JsonAsync(HttpStatusCode.OK)).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(null, new[] { "apple", "cherry", "Banana" })]
    [InlineData("-updated_at", new[] { "apple", "cherry", "Banana" })]
    [InlineData("updated_at", new[] { "Banana", "cherry", "apple" })]
    [InlineData("name", new[] { "apple", "Banana", "cherry" })]
    [InlineData("-name", new[] { "cherry", "Banana", "apple" })]
    public async Task My_notes_are_listed_in_the_order_asked(string? order, string[] expected)
    {
        using var owner = await ApiUser.CreateAsync(api);
        // Created Banana, cherry, apple: by update and by name (as people read it, not by byte) differ.
        foreach (var name in new[] { "Banana", "cherry", "apple" })
        {
            await owner.CreateNoteAsync(name);
        }

        var page = await ListAsync(owner, order is null ? "" : $"?order={order}");

        Assert.Equal(expected, page.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Ordering_by_update_follows_edits()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var first = await owner.CreateNoteAsync("first");
        await owner.CreateNoteAsync("second");
        await owner.Http.PutJsonAsync(Url(first), new { name = "first", text = "edited", version = Version(first) });

        var page = await ListAsync(owner);

        Assert.Equal(["first", "second"], page.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task An_unknown_order_or_page_is_a_validation_problem()
    {
        using var owner = await ApiUser.CreateAsync(api);

        Assert.Equal(["order"], await (await owner.Http.GetAsync("/notes?order=text")).InvalidFieldsAsync());
        Assert.Equal(["page", "pageSize"], await (await owner.Http.GetAsync("/notes?page=0&pageSize=101")).InvalidFieldsAsync());
        await (await owner.Http.GetAsync("/notes?page=abc")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task My_notes_are_paged_with_a_total_count()
    {
        using var owner = await ApiUser.CreateAsync(api);
        for (var i = 1; i <= 5; i++)
        {
            await owner.CreateNoteAsync($"note {i}");
        }

        var first = await ListAsync(owner, "?order=name&page=1&pageSize=2");
        var last = await ListAsync(owner, "?order=name&page=3&pageSize=2");
        var beyond = await ListAsync(owner, "?order=name&page=4&pageSize=2");

        Assert.Equal(5, first.GetProperty("totalCount").GetInt32());
        Assert.Equal(["note 1", "note 2"], first.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Equal(["note 5"], last.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Empty(beyond.GetProperty("items").EnumerateArray());
        Assert.Equal(2, last.GetProperty("pageSize").GetInt32());
    }

    [Fact]
    public async Task The_notes_of_one_pad_are_listed()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        await owner.CreateNoteAsync("in", padId: Id(pad));
        await owner.CreateNoteAsync("out");

        var page = await ListAsync(owner, $"?padId={Id(pad)}");

        Assert.Equal(1, page.GetProperty("totalCount").GetInt32());
        Assert.Equal("in", page.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal("Personal", page.GetProperty("items")[0].GetProperty("pad").GetProperty("name").GetString());
    }

    private static async Task<JsonElement> ListAsync(ApiUser user, string query = "") =>
        await (await user.Http.GetAsync($"/notes{query}")).JsonAsync(HttpStatusCode.OK);

    private static int Id(JsonElement entity) => entity.GetProperty("id").GetInt32();

    private static string Url(JsonElement entity, string collection = "notes") => $"/{collection}/{Id(entity)}";

    private static uint Version(JsonElement entity) => entity.GetProperty("version").GetUInt32();
}
