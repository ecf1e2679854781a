using System.Net.Http.Json;
using System.Text.Json;

namespace Notejam.Tests.Infrastructure;

/// <summary>Reads the mail that reached smtp4dev, the AppHost's development mail sink, through its HTTP API.</summary>
internal static class MailSink
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The plain-text body of the newest mail to <paramref name="email"/>, once it has arrived.</summary>
    public static async Task<string> PlainTextMailToAsync(HttpClient sink, string email)
    {
        var id = await Eventually.ValueAsync(async () =>
            {
                var messages = await sink.GetFromJsonAsync<JsonElement>("/api/messages");
                return messages.GetProperty("results").EnumerateArray()
                    .Where(m => m.GetProperty("to").EnumerateArray().Any(to => to.GetString() == email))
                    .Select(m => m.GetProperty("id").GetString())
                    .FirstOrDefault();
            },
            Timeout, () => $"no mail to {email} reached the mail sink", TimeSpan.FromMilliseconds(250));
        return await sink.GetStringAsync(new Uri($"/api/messages/{id}/plaintext", UriKind.Relative));
    }
}
