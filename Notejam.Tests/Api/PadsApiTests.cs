using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class PadsApiTests(ApiFactory api)
{
    [Fact]
    public async Task A_pad_is_created()
    {
        using var owner = await ApiUser.CreateAsync(api);

        var response = await owner.Http.PostAsJsonAsync("/pads", new { name = "  Personal  " });

        var pad = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Personal", pad.GetProperty("name").GetString());
        Assert.Equal($"/pads/{pad.GetProperty("id").GetInt32()}", response.Headers.Location?.OriginalString);
        var mine = await (await owner.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Personal"], mine.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_pad_is_not_created_by_an_anonymous_user()
    {
        using var anonymous = api.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/pads", new { name = "Personal" })).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_pad_is_not_created_without_a_name(string? name)
    {
        using var owner = await ApiUser.CreateAsync(api);

        Assert.Equal(["name"], await (await owner.Http.PostAsJsonAsync("/pads", new { name })).InvalidFieldsAsync());
        Assert.Empty((await (await owner.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task A_pad_name_is_at_most_100_characters()
    {
        using var owner = await ApiUser.CreateAsync(api);

        Assert.Equal(["name"], await (await owner.Http.PostAsJsonAsync("/pads", new { name = new string('p', 101) })).InvalidFieldsAsync());
        await (await owner.Http.PostAsJsonAsync("/pads", new { name = new string('p', 100) })).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_pad_is_edited_by_its_owner()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");

        var edited = await (await owner.Http.PutJsonAsync(Url(pad), new { name = "Work", version = Version(pad) }))
            .JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Work", edited.GetProperty("name").GetString());
        Assert.Equal("Work", (await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("version")]
    public async Task A_pad_is_not_edited_with_a_field_missing(string missing)
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        var form = new Dictionary<string, object?> { ["name"] = "Work", ["version"] = Version(pad) };
        form[missing] = null;

        Assert.Equal([missing], await (await owner.Http.PutJsonAsync(Url(pad), form)).InvalidFieldsAsync());
        Assert.Equal("Personal", (await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_pad_is_not_edited_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");

        var response = await other.Http.PutJsonAsync(Url(pad), new { name = "Stolen", version = Version(pad) });

        var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain("Personal", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Personal", (await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_pad_is_viewed_by_its_owner()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        await owner.CreateNoteAsync("In the pad", padId: pad.GetProperty("id").GetInt32());

        var viewed = await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Personal", viewed.GetProperty("name").GetString());
        Assert.Equal(1, viewed.GetProperty("noteCount").GetInt32());
    }

    [Fact]
    public async Task A_pad_is_not_viewed_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");

        var problem = await (await other.Http.GetAsync(Url(pad))).ProblemAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain("Personal", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Empty((await (await other.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        await (await other.Http.GetAsync($"/notes?padId={pad.GetProperty("id").GetInt32()}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_pad_is_deleted_by_its_owner_with_its_notes()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        var inPad = await owner.CreateNoteAsync("In the pad", padId: pad.GetProperty("id").GetInt32());
        var outside = await owner.CreateNoteAsync("Outside");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync(Url(pad))).StatusCode);

        await (await owner.Http.GetAsync(Url(pad))).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Http.GetAsync($"/notes/{inPad.GetProperty("id").GetInt32()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Http.GetAsync($"/notes/{outside.GetProperty("id").GetInt32()}")).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_pad_is_not_deleted_by_another_user()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");

        await (await other.Http.DeleteAsync(Url(pad))).ProblemAsync(HttpStatusCode.NotFound);

        await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_rename_based_on_a_stale_copy_is_refused()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Personal");
        await (await owner.Http.PutJsonAsync(Url(pad), new { name = "First rename", version = Version(pad) })).JsonAsync(HttpStatusCode.OK);

        var stale = await owner.Http.PutJsonAsync(Url(pad), new { name = "Second rename", version = Version(pad) });

        await stale.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("First rename", (await (await owner.Http.GetAsync(Url(pad))).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task My_pads_are_listed_by_name_as_people_read_it()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        foreach (var name in new[] { "work", "Banana", "apple" })
        {
            await owner.CreatePadAsync(name);
        }

        await other.CreatePadAsync("Not mine");

        var pads = await (await owner.Http.GetAsync("/pads")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["apple", "Banana", "work"], pads.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    private static string Url(JsonElement pad) => $"/pads/{pad.GetProperty("id").GetInt32()}";

    private static uint Version(JsonElement pad) => pad.GetProperty("version").GetUInt32();
}
