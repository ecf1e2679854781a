using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notejam.Tests.Infrastructure;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>What Notejam.ServiceDefaults gives every service, seen from outside: telemetry, probes, discovery, resilience.</summary>
[Collection(ApiTests.Name)]
public sealed class ServiceDefaultsTests(ApiFactory api)
{
    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_configured_otlp_endpoint()
    {
        var received = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        await using var collector = await StartAsync(app => app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.GetOrAdd(signal, _ => []).Add(Encoding.UTF8.GetString(body.ToArray()));
        }));
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Address(collector));
            web.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            web.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "200");
            web.UseSetting("OTEL_BLRP_SCHEDULE_DELAY", "200");
            web.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "500");
        });
        using var http = replica.CreateClient();

        (await http.PostAsJsonAsync("/users/register", new { email = ApiUser.NewEmail(), password = "long enough", repeatPassword = "long enough" }))
            .EnsureSuccessStatusCode();

        await WaitUntilAsync(() =>
            Exported("traces", "/users/register") && Exported("traces", "postgresql") &&
            Exported("metrics", "http.server.request.duration") && received.ContainsKey("logs"));

        bool Exported(string signal, string text) =>
            received.TryGetValue(signal, out var bodies) && bodies.Any(b => b.Contains(text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, false, false)]
    [InlineData("http://127.0.0.1:4317", null, true, true)]
    [InlineData(null, "true", false, true)]
    public void Tracer_and_meter_providers_are_built_only_where_something_exports(
        string? otlpEndpoint, string? prometheus, bool traced, bool measured)
    {
        // No provider, no listener: without one, ASP.NET Core, HttpClient and Npgsql record no span or measurement.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
        builder.Configuration[Extensions.PrometheusSetting] = prometheus;

        builder.AddServiceDefaults();

        Assert.Equal(traced, builder.Services.Any(service => service.ServiceType == typeof(TracerProvider)));
        Assert.Equal(measured, builder.Services.Any(service => service.ServiceType == typeof(MeterProvider)));
    }

    [Fact]
    public void The_api_with_its_database_builds_no_tracer_or_meter_provider_where_nothing_exports()
    {
        // Aspire's AddNpgsqlDbContext would build providers of its own; the api switches that off.
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "");
            web.UseSetting(Extensions.PrometheusSetting, "false");
        });

        Assert.Null(replica.Services.GetService<TracerProvider>());
        Assert.Null(replica.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task Readiness_includes_the_database_and_liveness_does_not()
    {
        using var replica = api.AnotherReplica(web =>
            web.UseSetting("ConnectionStrings:notejam", "Host=127.0.0.1;Port=1;Database=notejam;Username=nobody;Password=none;Timeout=2"));
        using var http = replica.CreateClient();

        var health = await http.GetAsync("/health");
        var alive = await http.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Http_clients_find_services_by_name_and_retry_transient_failures()
    {
        var calls = 0;
        await using var flaky = await StartAsync(app => app.MapGet("/", () =>
            Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("ok")));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["services:flaky:http:0"] = Address(flaky);
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("flaky", client => client.BaseAddress = new Uri("https+http://flaky"));
        using var host = builder.Build();

        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("flaky");
        var answer = await http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Equal("ok", answer);
        Assert.Equal(2, calls);
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(20), "nothing arrived");
}
