using System.Net;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class SearchApiTests(ApiFactory api)
{
    [Fact]
    public async Task A_match_in_the_name_ranks_above_one_in_the_text_then_the_latest_edited_comes_first()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var inText = await owner.CreateNoteAsync("Shopping", "Buy a kiwi and bread");
        var olderInName = await owner.CreateNoteAsync("Kiwi recipes", "Sorbet");
        var newerInName = await owner.CreateNoteAsync("Kiwi facts", "A fruit");
        await owner.CreateNoteAsync("Apples", "Not this one");

        var found = await SearchAsync(owner, "kiwi");

        Assert.Equal(3, found.GetProperty("totalCount").GetInt32());
        Assert.Equal([Id(newerInName), Id(olderInName), Id(inText)], Ids(found));
        var ranks = found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("rank").GetSingle()).ToList();
        Assert.Equal(ranks[0], ranks[1]);
        Assert.True(ranks[1] > ranks[2], $"A match in the name should rank higher: {string.Join(", ", ranks)}");
    }

    [Fact]
    public async Task Every_word_must_match_and_the_last_one_matches_as_a_prefix()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var both = await owner.CreateNoteAsync("Trip", "Amsterdam in July, by train");
        await owner.CreateNoteAsync("Other trip", "Amsterdam in August");
        await owner.CreateNoteAsync("Timetable", "The train leaves at nine");

        Assert.Equal([Id(both)], Ids(await SearchAsync(owner, "amsterdam train")));
        Assert.Equal([Id(both)], Ids(await SearchAsync(owner, "Amsterdam TRA")));
        Assert.Empty(Ids(await SearchAsync(owner, "tra amsterdam")));
        Assert.Equal(2, (await SearchAsync(owner, "amst")).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task An_answer_carries_the_pad_the_date_and_a_snippet_with_the_matches_marked()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Travel");
        var note = await owner.CreateNoteAsync("Plans", "First we fly to Lisbon, then we take the train to Porto.", Id(pad));

        var hit = Assert.Single((await SearchAsync(owner, "lisb")).GetProperty("items").EnumerateArray().ToList());

        Assert.Equal("Plans", hit.GetProperty("name").GetString());
        Assert.Equal("Travel", hit.GetProperty("pad").GetProperty("name").GetString());
        Assert.Equal(note.GetProperty("updatedAt").GetDateTimeOffset(), hit.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Contains("fly to \uE000Lisbon\uE001, then", hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_notes_are_never_found()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var other = await ApiUser.CreateAsync(api);
        await other.CreateNoteAsync("Secret zanzibar plans", "Zanzibar, zanzibar");
        var mine = await owner.CreateNoteAsync("Holiday", "Maybe Zanzibar");

        var found = await SearchAsync(owner, "zanzibar");

        Assert.Equal(1, found.GetProperty("totalCount").GetInt32());
        Assert.Equal([Id(mine)], Ids(found));
        Assert.DoesNotContain("Secret", found.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("&|!():*'\"\\", false)]
    [InlineData("kiwi & !", true)]
    [InlineData("!kiwi", true)]
    [InlineData("kiwi:* | (bread", true)]
    [InlineData("kiwi | apple", false)]
    [InlineData("<->", false)]
    [InlineData("'kiwi'", true)]
    [InlineData("\u0000kiwi", true)]
    [InlineData("\u0000", false)]
    [InlineData("   ", false)]
    [InlineData("kiwi\\", true)]
    public async Task Punctuation_and_query_operators_are_only_punctuation(string q, bool findsTheNote)
    {
        using var owner = await ApiUser.CreateAsync(api);
        var note = await owner.CreateNoteAsync("Kiwi", "Bread");

        var response = await owner.Http.GetAsync($"/notes/search?q={Uri.EscapeDataString(q)}");

        Assert.Equal(findsTheNote ? [Id(note)] : [], Ids(await response.JsonAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task A_query_longer_than_200_characters_is_a_validation_problem_never_a_server_error()
    {
        using var owner = await ApiUser.CreateAsync(api);

        var tooLong = await owner.Http.GetAsync($"/notes/search?q={new string('a', 201)}");
        var huge = await owner.Http.GetAsync($"/notes/search?q={Uri.EscapeDataString(string.Concat(Enumerable.Repeat("&|!():*'\"\\ ", 1_000)))}");
        var longest = await owner.Http.GetAsync($"/notes/search?q={new string('a', 200)}");

        Assert.Equal(["q"], await tooLong.InvalidFieldsAsync());
        Assert.True((int)huge.StatusCode is >= 400 and < 500, $"10,000 characters answered {(int)huge.StatusCode}");
        await longest.JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Results_are_paged_like_the_notes_list()
    {
        using var owner = await ApiUser.CreateAsync(api);
        for (var i = 1; i <= 5; i++)
        {
            await owner.CreateNoteAsync($"Idea {i}", "Lemonade stand");
        }

        var first = await SearchAsync(owner, "lemonade", "&pageSize=2");
        var third = await SearchAsync(owner, "lemonade", "&pageSize=2&page=3");

        Assert.Equal(5, first.GetProperty("totalCount").GetInt32());
        Assert.Equal(["Idea 5", "Idea 4"], Names(first));
        Assert.Equal(["Idea 1"], Names(third));
        var past = await SearchAsync(owner, "lemonade", "&pageSize=2&page=9");
        Assert.Equal(5, past.GetProperty("totalCount").GetInt32());
        Assert.Empty(Names(past));
        Assert.Equal(["page", "pageSize"], await (await owner.Http.GetAsync("/notes/search?q=lemonade&page=0&pageSize=101")).InvalidFieldsAsync());
    }

    [Fact]
    public async Task Search_is_for_signed_in_users_and_is_described_in_openapi()
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.GetAsync("/notes/search?q=kiwi");
        var document = await (await anonymous.GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var search = document.GetProperty("paths").GetProperty("/notes/search").GetProperty("get");
        Assert.Contains(search.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "q");
        Assert.True(search.GetProperty("responses").TryGetProperty("400", out _));
        var hit = document.GetProperty("components").GetProperty("schemas").GetProperty("NoteSearchHit").GetProperty("properties");
        Assert.Equal(["id", "name", "pad", "rank", "snippet", "updatedAt"], hit.EnumerateObject().Select(p => p.Name).Order());
    }

    private static async Task<JsonElement> SearchAsync(ApiUser user, string q, string more = "") =>
        await (await user.Http.GetAsync($"/notes/search?q={Uri.EscapeDataString(q)}{more}")).JsonAsync(HttpStatusCode.OK);

    private static int Id(JsonElement element) => element.GetProperty("id").GetInt32();

    private static int[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(Id)];

    private static string[] Names(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
}
