using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Notejam.Tests.Infrastructure;

/// <summary>A signed-up, signed-in account with an HttpClient that carries its bearer token.</summary>
public sealed class ApiUser(string email, string password, HttpClient http, JsonElement tokens) : IDisposable
{
    public const string DefaultPassword = SiteUser.DefaultPassword;

    public string Email { get; } = email;

    public string Password { get; } = password;

    public HttpClient Http { get; } = http;

    public JsonElement Tokens { get; } = tokens;

    public static string NewEmail() => SiteUser.NewEmail();

    public static async Task<ApiUser> CreateAsync(ApiFactory api, string? email = null, string password = DefaultPassword)
    {
        email ??= NewEmail();
        var http = api.CreateClient();
        var registered = await http.PostAsJsonAsync("/users/register", new { email, password, repeatPassword = password });
        registered.EnsureSuccessStatusCode();
        var tokens = await SignInAsync(http, email, password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return new ApiUser(email, password, http, tokens);
    }

    public static async Task<JsonElement> SignInAsync(HttpClient http, string email, string password)
    {
        var response = await http.PostAsJsonAsync("/users/signin", new { email, password });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> CreatePadAsync(string name)
    {
        var response = await Http.PostAsJsonAsync("/pads", new { name });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> CreateNoteAsync(string name, string text = "Some text", int? padId = null)
    {
        var response = await Http.PostAsJsonAsync("/notes", new { name, text, padId });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public void Dispose() => Http.Dispose();
}
