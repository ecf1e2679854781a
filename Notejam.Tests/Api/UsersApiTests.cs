using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

[Collection(ApiTests.Name)]
public sealed class UsersApiTests(ApiFactory api)
{
    private readonly HttpClient _anonymous = api.CreateClient();

    [Fact]
    public async Task Sign_up_succeeds_and_the_account_can_sign_in()
    {
        var email = ApiUser.NewEmail();
        var response = await _anonymous.PostAsJsonAsync("/users/register",
            new { email, password = "long enough", repeatPassword = "long enough" });

        var created = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal(email, created.GetProperty("email").GetString());
        using var user = await SignedInClientAsync(email, "long enough");
        var me = await (await user.GetAsync("/users/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(created.GetProperty("id").GetInt32(), me.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("email")]
    [InlineData("password")]
    [InlineData("repeatPassword")]
    public async Task Sign_up_fails_if_a_required_field_is_missing(string missing)
    {
        var form = new Dictionary<string, string?>
        {
            ["email"] = ApiUser.NewEmail(),
            ["password"] = "long enough",
            ["repeatPassword"] = "long enough",
        };
        form[missing] = null;

        var fields = await (await _anonymous.PostAsJsonAsync("/users/register", form)).InvalidFieldsAsync();

        Assert.Contains(missing, fields);
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("@example.com")]
    [InlineData("someone@")]
    public async Task Sign_up_fails_on_an_invalid_email(string email)
    {
        var response = await _anonymous.PostAsJsonAsync("/users/register",
            new { email, password = "long enough", repeatPassword = "long enough" });

        Assert.Equal(["email"], await response.InvalidFieldsAsync());
    }

    [Fact]
    public async Task Sign_up_fails_if_the_email_exists_in_any_letter_case()
    {
        using var existing = await ApiUser.CreateAsync(api);

        var response = await _anonymous.PostAsJsonAsync("/users/register",
            new { email = existing.Email.ToUpperInvariant(), password = "long enough", repeatPassword = "long enough" });

        Assert.Equal(["email"], await response.InvalidFieldsAsync());
    }

    [Fact]
    public async Task Sign_up_fails_if_the_passwords_differ()
    {
        var response = await _anonymous.PostAsJsonAsync("/users/register",
            new { email = ApiUser.NewEmail(), password = "long enough", repeatPassword = "long enough!" });

        Assert.Equal(["repeatPassword"], await response.InvalidFieldsAsync());
    }

    [Fact]
    public async Task Sign_up_fails_on_a_short_password()
    {
        var response = await _anonymous.PostAsJsonAsync("/users/register",
            new { email = ApiUser.NewEmail(), password = "short", repeatPassword = "short" });

        Assert.Equal(["password"], await response.InvalidFieldsAsync());
    }

    [Fact]
    public async Task Sign_in_succeeds_with_any_letter_case_of_the_email()
    {
        using var user = await ApiUser.CreateAsync(api);

        var tokens = await (await _anonymous.PostAsJsonAsync("/users/signin",
            new { email = user.Email.ToUpperInvariant(), password = user.Password })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("accessToken").GetString()));
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refreshToken").GetString()));
        Assert.True(tokens.GetProperty("expiresIn").GetInt32() > 0);
    }

    [Theory]
    [InlineData("email")]
    [InlineData("password")]
    public async Task Sign_in_fails_if_a_field_is_missing(string missing)
    {
        var form = new Dictionary<string, string?> { ["email"] = ApiUser.NewEmail(), ["password"] = "long enough" };
        form[missing] = null;

        Assert.Equal([missing], await (await _anonymous.PostAsJsonAsync("/users/signin", form)).InvalidFieldsAsync());
    }

    [Fact]
    public async Task Sign_in_fails_on_wrong_credentials()
    {
        using var user = await ApiUser.CreateAsync(api);

        var wrongPassword = await _anonymous.PostAsJsonAsync("/users/signin", new { email = user.Email, password = "not the password" });
        var unknownEmail = await _anonymous.PostAsJsonAsync("/users/signin", new { email = ApiUser.NewEmail(), password = user.Password });

        var problem = await wrongPassword.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Wrong email or password.", problem.GetProperty("title").GetString());
        await unknownEmail.ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Anonymous_requests_for_the_account_are_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.GetAsync("/users/me")).StatusCode);
        var forged = new HttpRequestMessage(HttpMethod.Get, "/users/me") { Headers = { { "Authorization", "Bearer forged" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task Repeated_failed_sign_ins_lock_the_account_but_not_others()
    {
        using var victim = await ApiUser.CreateAsync(api);
        using var bystander = await ApiUser.CreateAsync(api);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            await (await _anonymous.PostAsJsonAsync("/users/signin", new { email = victim.Email, password = "guess" }))
                .ProblemAsync(attempt < 4 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests);
        }

        var rightPassword = await _anonymous.PostAsJsonAsync("/users/signin", new { email = victim.Email, password = victim.Password });
        await rightPassword.ProblemAsync(HttpStatusCode.TooManyRequests);
        await (await _anonymous.PostAsJsonAsync("/users/signin", new { email = bystander.Email, password = bystander.Password }))
            .JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refresh_token_gives_new_tokens_until_the_user_signs_out()
    {
        using var user = await ApiUser.CreateAsync(api);
        var refreshToken = user.Tokens.GetProperty("refreshToken").GetString();

        var refreshed = await (await _anonymous.PostAsJsonAsync("/users/refresh", new { refreshToken })).JsonAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(refreshed.GetProperty("accessToken").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.PostAsync("/users/me/signout", null)).StatusCode);
        await (await _anonymous.PostAsJsonAsync("/users/refresh", new { refreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await _anonymous.PostAsJsonAsync("/users/refresh", new { refreshToken = "garbage" })).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Changing_the_password_needs_the_old_one_and_ends_other_sessions()
    {
        using var user = await ApiUser.CreateAsync(api);
        var oldRefreshToken = user.Tokens.GetProperty("refreshToken").GetString();

        var wrongOld = await user.Http.PostAsJsonAsync("/users/me/password",
            new { oldPassword = "not it", newPassword = "a new password", repeatNewPassword = "a new password" });
        Assert.Equal(["oldPassword"], await wrongOld.InvalidFieldsAsync());
        var differ = await user.Http.PostAsJsonAsync("/users/me/password",
            new { oldPassword = user.Password, newPassword = "a new password", repeatNewPassword = "another password" });
        Assert.Equal(["repeatNewPassword"], await differ.InvalidFieldsAsync());

        var changed = await user.Http.PostAsJsonAsync("/users/me/password",
            new { oldPassword = user.Password, newPassword = "a new password", repeatNewPassword = "a new password" });

        // This session continues on the tokens answered; the token it changed the password with has ended.
        var next = await changed.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/users/me")).StatusCode);
        using var continued = api.CreateClient();
        continued.DefaultRequestHeaders.Authorization = new("Bearer", next.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await continued.GetAsync("/users/me")).StatusCode);
        await (await _anonymous.PostAsJsonAsync("/users/signin", new { email = user.Email, password = user.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await ApiUser.SignInAsync(_anonymous, user.Email, "a new password");
        await (await _anonymous.PostAsJsonAsync("/users/refresh", new { refreshToken = oldRefreshToken }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Forgot_password_answers_the_same_whether_or_not_the_account_exists()
    {
        using var user = await ApiUser.CreateAsync(api);
        var stranger = ApiUser.NewEmail();

        var known = await _anonymous.PostAsJsonAsync("/users/forgot-password", new { email = user.Email });
        var unknown = await _anonymous.PostAsJsonAsync("/users/forgot-password", new { email = stranger });

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Single(api.Mail.ResetLinksTo(user.Email));
        Assert.Empty(api.Mail.ResetLinksTo(stranger));
    }

    [Fact]
    public async Task A_mailed_reset_link_sets_a_new_password_once_and_lifts_a_lockout()
    {
        using var user = await ApiUser.CreateAsync(api);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await _anonymous.PostAsJsonAsync("/users/signin", new { email = user.Email, password = "guess" });
        }

        await _anonymous.PostAsJsonAsync("/users/forgot-password", new { email = user.Email });
        var link = new Uri(Assert.Single(api.Mail.ResetLinksTo(user.Email)));
        Assert.StartsWith(ApiFactory.WebUrl + "reset-password/?", link.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(link.Query);
        var reset = new { email = query["email"].ToString(), token = query["token"].ToString(), newPassword = "reset password", repeatNewPassword = "reset password" };

        Assert.Equal(HttpStatusCode.NoContent, (await _anonymous.PostAsJsonAsync("/users/reset-password", reset)).StatusCode);
        await ApiUser.SignInAsync(_anonymous, user.Email, "reset password");
        var again = await _anonymous.PostAsJsonAsync("/users/reset-password", reset with { newPassword = "third password", repeatNewPassword = "third password" });
        Assert.Equal(["token"], await again.InvalidFieldsAsync());
        await (await _anonymous.PostAsJsonAsync("/users/signin", new { email = user.Email, password = user.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_reset_link_expires()
    {
        using var replica = api.AnotherReplica(web => web.UseSetting("Notejam:ResetLinkLifetime", "00:00:01"));
        using var http = replica.CreateClient();
        using var user = await ApiUser.CreateAsync(api);

        await http.PostAsJsonAsync("/users/forgot-password", new { email = user.Email });
        var query = QueryHelpers.ParseQuery(new Uri(Assert.Single(api.Mail.ResetLinksTo(user.Email))).Query);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var response = await http.PostAsJsonAsync("/users/reset-password",
            new { email = query["email"].ToString(), token = query["token"].ToString(), newPassword = "too late now", repeatNewPassword = "too late now" });
        Assert.Equal(["token"], await response.InvalidFieldsAsync());
    }

    [Fact]
    public async Task A_forged_reset_token_is_refused()
    {
        using var user = await ApiUser.CreateAsync(api);

        var response = await _anonymous.PostAsJsonAsync("/users/reset-password",
            new { email = user.Email, token = "bm90IGEgdG9rZW4", newPassword = "hijacked!", repeatNewPassword = "hijacked!" });

        Assert.Equal(["token"], await response.InvalidFieldsAsync());
        await ApiUser.SignInAsync(_anonymous, user.Email, user.Password);
    }

    private async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var tokens = await ApiUser.SignInAsync(_anonymous, email, password);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        return http;
    }
}
