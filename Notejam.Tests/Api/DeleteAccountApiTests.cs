using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Api.Users;
using Notejam.Tests.Infrastructure;
using Npgsql;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class DeleteAccountApiTests(ApiFactory api)
{
    [Fact]
    public async Task A_wrong_password_deletes_nothing()
    {
        using var owner = await ApiUser.CreateAsync(api);
        await owner.CreateNoteAsync("Kept", padId: Id(await owner.CreatePadAsync("Kept")));

        var wrong = await DeleteAsync(owner.Http, new { password = "not the password" });
        var missing = await DeleteAsync(owner.Http, new { password = "" });

        Assert.Equal(["password"], await wrong.InvalidFieldsAsync());
        Assert.Equal(["password"], await missing.InvalidFieldsAsync());
        Assert.Equal(1, (await (await owner.Http.GetAsync("/notes")).JsonAsync(HttpStatusCode.OK)).GetProperty("totalCount").GetInt32());
        Assert.Equal((1, 1, 1), await RowsAsync(await IdAsync(owner)));
        using var again = api.CreateClient();
        await ApiUser.SignInAsync(again, owner.Email, owner.Password);
    }

    [Fact]
    public async Task The_account_goes_with_every_note_pad_and_token_and_nothing_of_anyone_else()
    {
        using var owner = await ApiUser.CreateAsync(api);
        using var bystander = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Mine");
        await owner.CreateNoteAsync("In the pad", padId: Id(pad));
        await owner.CreateNoteAsync("Loose");
        var bystanderNote = await bystander.CreateNoteAsync("Not touched", "Still here", Id(await bystander.CreatePadAsync("Mine")));
        var id = await IdAsync(owner);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            // Identity's own rows for this user: a claim, an external login and a stored token.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var user = (await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
            await users.AddClaimAsync(user, new Claim("nickname", "owner"));
            await users.AddLoginAsync(user, new UserLoginInfo("Example", $"key-{id}", "Example"));
            await users.SetAuthenticationTokenAsync(user, "Example", "access", "token");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(owner.Http, new { password = owner.Password })).StatusCode);

        Assert.Equal((0, 0, 0), await RowsAsync(id));
        Assert.Equal(0, await CountAsync("""SELECT (SELECT count(*) FROM "AspNetUserClaims" WHERE "UserId" = @id) + (SELECT count(*) FROM "AspNetUserLogins" WHERE "UserId" = @id) + (SELECT count(*) FROM "AspNetUserTokens" WHERE "UserId" = @id)""", id));
        var kept = await (await bystander.Http.GetAsync($"/notes/{Id(bystanderNote)}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Still here", kept.GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_old_tokens_are_refused_and_the_email_can_sign_up_again()
    {
        using var owner = await ApiUser.CreateAsync(api);
        await owner.CreateNoteAsync("Gone");

        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(owner.Http, new { password = owner.Password })).StatusCode);

        // The access token is still within its lifetime, and still refused.
        await (await owner.Http.GetAsync("/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await owner.Http.GetAsync("/notes")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await owner.Http.PostAsJsonAsync("/notes", new { name = "For nobody", text = "Text" })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await owner.Http.GetAsync("/users/me/export")).ProblemAsync(HttpStatusCode.Unauthorized);
        using var anonymous = api.CreateClient();
        var refresh = await anonymous.PostAsJsonAsync("/users/refresh", new { refreshToken = owner.Tokens.GetProperty("refreshToken").GetString() });
        await refresh.ProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/users/signin", new { email = owner.Email, password = owner.Password })).ProblemAsync(HttpStatusCode.Unauthorized);

        using var again = await ApiUser.CreateAsync(api, owner.Email);
        Assert.Equal(0, (await (await again.Http.GetAsync("/notes")).JsonAsync(HttpStatusCode.OK)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_as_at_sign_in()
    {
        using var owner = await ApiUser.CreateAsync(api);
        for (var attempt = 1; attempt < 5; attempt++)
        {
            Assert.Equal(["password"], await (await DeleteAsync(owner.Http, new { password = "guess" })).InvalidFieldsAsync());
        }

        await (await DeleteAsync(owner.Http, new { password = "guess" })).ProblemAsync(HttpStatusCode.TooManyRequests);
        await (await DeleteAsync(owner.Http, new { password = owner.Password })).ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal((1, 0, 0), await RowsAsync(await IdAsync(owner)));
    }

    private static Task<HttpResponseMessage> DeleteAsync(HttpClient http, object body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(body) });

    private static async Task<int> IdAsync(ApiUser user) =>
        (await (await user.Http.GetAsync("/users/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetInt32();

    /// <summary>The user's rows, straight from PostgreSQL: (users, pads, notes).</summary>
    private async Task<(long Users, long Pads, long Notes)> RowsAsync(int id) => (
        await CountAsync("""SELECT count(*) FROM "AspNetUsers" WHERE "Id" = @id""", id),
        await CountAsync("""SELECT count(*) FROM "Pads" WHERE "OwnerId" = @id""", id),
        await CountAsync("""SELECT count(*) FROM "Notes" WHERE "OwnerId" = @id""", id));

    private async Task<long> CountAsync(string sql, int id)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int Id(JsonElement item) => item.GetProperty("id").GetInt32();
}
