using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// The api as its container runs it (the built app, ASPNETCORE_ENVIRONMENT=Production, its own folder as
/// content root): every console line is one JSON object, and what is logged during a request carries its trace id.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class ProductionLogsTests(ApiFactory api)
{
    [Fact]
    public async Task Production_console_logs_are_json_lines_with_utc_timestamps_and_trace_ids()
    {
        using var process = BuiltApi.Start(api.ConnectionString, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        var listening = await process.WaitForLineAsync(line => line.Contains("Now listening on", StringComparison.Ordinal));
        var address = JsonDocument.Parse(listening).RootElement.GetProperty("State").GetProperty("address").GetString()!;
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var email = ApiUser.NewEmail();
        (await http.PostAsJsonAsync("/users/register", new { email, password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword }))
            .EnsureSuccessStatusCode();

        // With no SMTP server the reset link is logged by the outbox, under the trace of the request that asked for it.
        (await http.PostAsJsonAsync("/users/forgot-password", new { email })).EnsureSuccessStatusCode();
        var resetLine = await process.WaitForLineAsync(line => line.Contains(email, StringComparison.Ordinal));

        Assert.All(process.Lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        var reset = JsonDocument.Parse(resetLine).RootElement;
        Assert.Equal("Information", reset.GetProperty("LogLevel").GetString());
        Assert.EndsWith("LoggingEmailSender", reset.GetProperty("Category").GetString(), StringComparison.Ordinal);
        Assert.Equal(email, reset.GetProperty("State").GetProperty("Email").GetString());
        var timestamp = reset.GetProperty("Timestamp").GetString()!;
        Assert.EndsWith("Z", timestamp, StringComparison.Ordinal);
        Assert.InRange(DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        var traceId = reset.GetProperty("Scopes").EnumerateArray()
            .Where(scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out _))
            .Select(scope => scope.GetProperty("TraceId").GetString())
            .Single();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
    }
}
