using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Notejam.Tests.Infrastructure;

internal static class HttpAssertions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>An RFC 7807 answer with the given status; its JSON is returned.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.JsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>A 400 validation problem; returns the fields it names.</summary>
    public static async Task<string[]> InvalidFieldsAsync(this HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order()];
    }

    public static Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient http, string url, T body) =>
        http.PutAsJsonAsync(url, body);
}
