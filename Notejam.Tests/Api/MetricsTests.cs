using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.Infrastructure;
using OpenTelemetry.Metrics;

namespace Notejam.Tests.Api;

/// <summary>
/// The business counters of the "Notejam.Api" meter, on a replica of the API: what one replica counted
/// (its own meters only, told apart by the IMeterFactory that made them) and what its OpenTelemetry
/// pipeline exported (the service defaults' "Notejam.*" meters, read back from an in-memory exporter).
/// </summary>
[Collection(ApiTests.Name)]
public sealed class MetricsTests(ApiFactory api)
{
    private const string Password = ApiUser.DefaultPassword;

    [Fact]
    public async Task What_people_do_is_counted_once_it_happened_and_exported()
    {
        var exported = new LockedList<MetricSnapshot>();
        using var replica = api.AnotherReplica(web => web.ConfigureServices(services =>
            services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddInMemoryExporter(exported))));
        using var counted = new ReplicaCounters(replica.Services);
        using var http = replica.CreateClient();

        var email = ApiUser.NewEmail();
        await PostAsync(http, "/users/register", new { email, password = Password, repeatPassword = Password }, HttpStatusCode.Created);
        await PostAsync(http, "/users/register", new { email, password = Password, repeatPassword = Password }, HttpStatusCode.BadRequest);
        var tokens = await ApiUser.SignInAsync(http, email, Password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());

        var pad = await IdOf(await PostAsync(http, "/pads", new { name = "Counted" }, HttpStatusCode.Created));
        await PostAsync(http, "/notes", new { name = "In the pad", text = "Goes with its pad.", padId = pad }, HttpStatusCode.Created);
        var note = await IdOf(await PostAsync(http, "/notes", new { name = "Loose", text = "Deleted alone." }, HttpStatusCode.Created));
        await PostAsync(http, "/notes", new { name = "Nowhere", text = "No such pad.", padId = int.MaxValue }, HttpStatusCode.NotFound);
        await DeleteAsync(http, $"/notes/{note}", HttpStatusCode.NoContent);
        await DeleteAsync(http, $"/notes/{note}", HttpStatusCode.NotFound);
        await DeleteAsync(http, $"/pads/{pad}", HttpStatusCode.NoContent);
        await DeleteAsync(http, $"/pads/{pad}", HttpStatusCode.NotFound);

        http.DefaultRequestHeaders.Authorization = null;
        await PostAsync(http, "/users/forgot-password", new { email }, HttpStatusCode.Accepted);
        await PostAsync(http, "/users/forgot-password", new { email = ApiUser.NewEmail() }, HttpStatusCode.Accepted);
        await PostAsync(http, "/users/signin", new { email = ApiUser.NewEmail(), password = Password }, HttpStatusCode.Unauthorized);

        // Five wrong passwords lock the account; the fifth is the attempt that locks it.
        var locked = ApiUser.NewEmail();
        await PostAsync(http, "/users/register", new { email = locked, password = Password, repeatPassword = Password }, HttpStatusCode.Created);
        for (var attempt = 1; attempt < 5; attempt++)
        {
            await PostAsync(http, "/users/signin", new { email = locked, password = "wrong password" }, HttpStatusCode.Unauthorized);
        }

        await PostAsync(http, "/users/signin", new { email = locked, password = "wrong password" }, HttpStatusCode.TooManyRequests);
        await PostAsync(http, "/users/signin", new { email = locked, password = Password }, HttpStatusCode.TooManyRequests);

        (string Metric, string Unit, string? Result, long Count)[] expected =
        [
            ("notejam.users.registered", "{user}", null, 2),
            ("notejam.signins", "{signin}", "succeeded", 1),
            ("notejam.signins", "{signin}", "failed", 5),
            ("notejam.signins", "{signin}", "locked_out", 2),
            ("notejam.lockouts", "{lockout}", null, 1),
            ("notejam.pads.created", "{pad}", null, 1),
            ("notejam.pads.deleted", "{pad}", null, 1),
            ("notejam.notes.created", "{note}", null, 2),
            ("notejam.notes.deleted", "{note}", null, 1),
            ("notejam.password_resets.requested", "{request}", null, 1),
        ];
        Assert.Equal(
            expected.Select(e => (e.Metric, e.Result, e.Count)).Order(),
            counted.Totals.Select(t => (t.Key.Metric, t.Key.Result, t.Value)).Order());

        // Other API hosts in this process (the site's tests) have meters of the same name, which every
        // MeterProvider here listens to: what was exported is at least what this replica counted.
        Assert.True(replica.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var latest = exported.Snapshot().GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
        foreach (var (metric, unit, result, count) in expected)
        {
            var snapshot = Assert.Contains(metric, latest);
            Assert.Equal("Notejam.Api", snapshot.MeterName);
            Assert.Equal(MetricType.LongSum, snapshot.MetricType);
            Assert.Equal(unit, snapshot.Unit);
            Assert.False(string.IsNullOrWhiteSpace(snapshot.Description));
            var sum = snapshot.MetricPoints.Where(point => ResultTag(point) == result).Sum(point => point.GetSumLong());
            Assert.True(sum >= count, $"{metric} {result}: exported {sum}, this replica counted {count}.");
        }
    }

    private static string? ResultTag(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == "result")
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object body, HttpStatusCode status)
    {
        var response = await http.PostAsJsonAsync(path, body);
        Assert.Equal(status, response.StatusCode);
        return response;
    }

    private static async Task DeleteAsync(HttpClient http, string path, HttpStatusCode status) =>
        Assert.Equal(status, (await http.DeleteAsync(new Uri(path, UriKind.Relative))).StatusCode);

    private static async Task<int> IdOf(HttpResponseMessage created) =>
        (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

    /// <summary>The "Notejam.Api" counters of one host, by instrument and result tag.</summary>
    private sealed class ReplicaCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Metric, string? Result), long> _totals = new();

        public ReplicaCounters(IServiceProvider services)
        {
            var meters = services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == "Notejam.Api")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? result = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "result")
                    {
                        result = tag.Value as string;
                    }
                }

                _totals.AddOrUpdate((instrument.Name, result), value, (_, total) => total + value);
            });
            _listener.Start();
        }

        public IReadOnlyDictionary<(string Metric, string? Result), long> Totals => _totals;

        public void Dispose() => _listener.Dispose();
    }
}
