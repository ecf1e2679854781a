namespace Notejam.Web;

/// <summary>The web's way to Notejam.Api; its base address is the service name <c>api</c>.</summary>
public sealed class NotejamApiClient(HttpClient http)
{
    /// <summary>The API's readiness: "Healthy" when it and its database answer.</summary>
    public async Task<string> HealthAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), ct);
            return await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException)
        {
            return "Unreachable";
        }
    }
}
