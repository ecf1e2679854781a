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
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var messages = await sink.GetFromJsonAsync<JsonElement>("/api/messages");
            var id = messages.GetProperty("results").EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(to => to.GetString() == email))
                .Select(m => m.GetProperty("id").GetString())
                .FirstOrDefault();
            if (id is not null)
            {
                return await sink.GetStringAsync(new Uri($"/api/messages/{id}/plaintext", UriKind.Relative));
            }

            Assert.True(DateTime.UtcNow < deadline, $"No mail to {email} reached the mail sink within {Timeout.TotalSeconds} s.");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
