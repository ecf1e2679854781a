using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// Security review, finding 1: "Sessions outlive sign-out and password change by up to 30 minutes" and "refresh tokens
/// are not rotated". Each test is the attacker's try from the review: keep a token, let its owner end the session, use it.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class SessionRevocationTests(ApiFactory api)
{
    [Fact]
    public async Task After_sign_out_the_same_access_token_is_refused_at_once_for_reads_and_writes()
    {
        using var user = await ApiUser.CreateAsync(api);
        using var laptop = await SecondSessionAsync(user);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.PostAsync("/users/me/signout", null)).StatusCode);

        foreach (var session in new[] { user.Http, laptop.Http })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/users/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.PostAsJsonAsync("/notes", new { name = "after sign-out", text = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/users/me/export")).StatusCode);
        }

        await RefreshAsync(user.Tokens, HttpStatusCode.Unauthorized);
        await RefreshAsync(laptop.Tokens, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task After_a_password_change_another_sessions_token_cannot_export_the_account()
    {
        using var user = await ApiUser.CreateAsync(api);
        await user.CreateNoteAsync("Secret", "only mine");
        using var stolen = await SecondSessionAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await stolen.Http.GetAsync("/users/me/export")).StatusCode);

        var changed = await user.Http.PostAsJsonAsync("/users/me/password",
            new { oldPassword = user.Password, newPassword = "a new password", repeatNewPassword = "a new password" });
        var next = await changed.JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, (await stolen.Http.GetAsync("/users/me/export")).StatusCode);
        await RefreshAsync(stolen.Tokens, HttpStatusCode.Unauthorized);
        using var continued = Client(next);
        Assert.Equal(HttpStatusCode.OK, (await continued.GetAsync("/users/me/export")).StatusCode);
        await RefreshAsync(next, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_reset_by_mail_ends_every_session()
    {
        using var user = await ApiUser.CreateAsync(api);
        using var anonymous = api.CreateClient();
        await anonymous.PostAsJsonAsync("/users/forgot-password", new { email = user.Email });
        var link = new Uri(api.Mail.ResetLinksTo(user.Email).Last());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);

        var reset = await anonymous.PostAsJsonAsync("/users/reset-password",
            new { email = user.Email, token = query["token"].ToString(), newPassword = "reset password", repeatNewPassword = "reset password" });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/pads")).StatusCode);
        await RefreshAsync(user.Tokens, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_refresh_token_works_once_and_a_moment_later_the_duplicate_is_told_so()
    {
        using var user = await ApiUser.CreateAsync(api);

        var next = await RefreshAsync(user.Tokens, HttpStatusCode.OK);
        // The same token again within the grace (two requests of one browser): 409, and the session lives on.
        await RefreshAsync(user.Tokens, HttpStatusCode.Conflict);

        Assert.NotEqual(user.Tokens.GetProperty("refreshToken").GetString(), next.GetProperty("refreshToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/users/me")).StatusCode);
        await RefreshAsync(next, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_reused_refresh_token_ends_that_whole_session_family_and_no_other()
    {
        // No grace: any second use of a refresh token is a copy in someone else's hands.
        using var replica = api.AnotherReplica(b => b.UseSetting("Notejam:Sessions:RefreshReuseGrace", "00:00:00"));
        using var anonymous = replica.CreateClient();
        using var user = await ApiUser.CreateAsync(api);
        using var phone = await SecondSessionAsync(user);
        var first = user.Tokens;

        var thief = await RefreshAsync(first, HttpStatusCode.OK, anonymous);
        await RefreshAsync(first, HttpStatusCode.Unauthorized, anonymous);

        // Every token of that session is refused, the thief's fresh ones included; the phone's session is untouched.
        using var thiefClient = Client(thief, replica.CreateClient());
        Assert.Equal(HttpStatusCode.Unauthorized, (await thiefClient.GetAsync("/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/users/me")).StatusCode);
        await RefreshAsync(thief, HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(HttpStatusCode.OK, (await phone.Http.GetAsync("/users/me")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_on_one_replica_is_refused_on_the_other_at_once()
    {
        using var other = api.AnotherReplica();
        using var user = await ApiUser.CreateAsync(api);
        using var onOther = Client(user.Tokens, other.CreateClient());
        Assert.Equal(HttpStatusCode.OK, (await onOther.GetAsync("/users/me")).StatusCode);

        await user.Http.PostAsync("/users/me/signout", null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await onOther.GetAsync("/users/me")).StatusCode);
    }

    private async Task<ApiUser> SecondSessionAsync(ApiUser user)
    {
        var http = api.CreateClient();
        var tokens = await ApiUser.SignInAsync(http, user.Email, user.Password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return new ApiUser(user.Email, user.Password, http, tokens);
    }

    private async Task<JsonElement> RefreshAsync(JsonElement tokens, HttpStatusCode expected, HttpClient? client = null)
    {
        using var own = client is null ? api.CreateClient() : null;
        var answer = await (client ?? own!).PostAsJsonAsync("/users/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });
        return expected == HttpStatusCode.OK ? await answer.JsonAsync(expected) : await answer.ProblemAsync(expected);
    }

    private HttpClient Client(JsonElement tokens, HttpClient? http = null)
    {
        http ??= api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return http;
    }
}
