using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notejam.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>/metrics for Prometheus: absent unless configured, then the app's metrics as Prometheus text, to anyone, untraced.</summary>
[Collection(ApiTests.Name)]
public sealed class PrometheusMetricsTests(ApiFactory api)
{
    [Fact]
    public async Task Metrics_are_not_served_unless_switched_on()
    {
        using var http = api.CreateClient();

        var response = await http.GetAsync(new Uri(Extensions.MetricsPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_kept_to_their_own_port_are_served_there_and_not_on_the_site_port()
    {
        // The chart's shape: Kestrel on the site port and the metrics port, /metrics only on the latter.
        var (sitePort, metricsPort) = TwoFreePorts();
        using var process = BuiltApi.Start(api.ConnectionString, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{sitePort};http://127.0.0.1:{metricsPort}",
            ["Metrics__Prometheus__Enabled"] = "true",
            ["Metrics__Prometheus__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        await process.WaitForLineAsync(line => line.Contains($":{metricsPort}", StringComparison.Ordinal));
        using var http = new HttpClient();
        var onSitePort = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{sitePort}{Extensions.MetricsPath}");
        // A client that names the metrics port in its Host header still reaches only the site port.
        onSitePort.Headers.Host = $"127.0.0.1:{metricsPort}";

        var onSite = await http.SendAsync(onSitePort);
        var onMetrics = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}{Extensions.MetricsPath}"));

        Assert.Equal(HttpStatusCode.NotFound, onSite.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMetrics.StatusCode);
        // The runtime's gauges are read at each scrape; the 404 above is counted once its request has ended.
        Assert.Contains("dotnet_process_cpu_count", await onMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switched_on_metrics_answer_prometheus_text_with_the_business_counters_anonymously_and_untraced()
    {
        // Spans of the host's own background work are exported while the test reads: a list read under the exporter's lock.
        var traced = new LockedList<Activity>();
        using var replica = api.AnotherReplica(web =>
        {
            web.UseSetting(Extensions.PrometheusSetting, "true");
            web.ConfigureServices(services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(traced)));
        });
        using var user = await ApiUser.CreateAsync(api);
        using var http = replica.CreateClient();
        http.DefaultRequestHeaders.Authorization = user.Http.DefaultRequestHeaders.Authorization;
        (await http.PostAsync(new Uri("/notes", UriKind.Relative), JsonContent("""{"name":"Scraped","text":"Counted"}"""))).EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = null;

        var metrics = await PrometheusScrape.ReadAsync(http);

        Assert.Contains("text/plain", metrics.ContentType, StringComparison.Ordinal);
        Assert.True(metrics.Value("notejam_notes_created_total") >= 1, metrics.Text);
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics.Names);
        Assert.Contains(metrics.Samples("http_server_request_duration_seconds_count"), s => s.Contains("http_route=\"/notes/\"", StringComparison.Ordinal));
        Assert.DoesNotContain(metrics.Samples("http_server_request_duration_seconds_count"), s => s.Contains("/metrics", StringComparison.Ordinal));
        Assert.True(replica.Services.GetRequiredService<TracerProvider>().ForceFlush());
        var spans = traced.Snapshot();
        Assert.Contains(spans, a => a.GetTagItem("url.path") as string == "/notes");
        Assert.DoesNotContain(spans, a => a.GetTagItem("url.path") as string == Extensions.MetricsPath);
    }

    private static (int, int) TwoFreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

/// <summary>One scrape of /metrics in the Prometheus text format: sample lines by metric name.</summary>
internal sealed class PrometheusScrape(string text, string contentType)
{
    public string Text { get; } = text;

    public string ContentType { get; } = contentType;

    public IReadOnlyList<string> SampleLines { get; } =
        text.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();

    /// <summary>The metric names of the samples (e.g. http_server_request_duration_seconds_bucket).</summary>
    public IReadOnlySet<string> Names => SampleLines.Select(NameOf).ToHashSet(StringComparer.Ordinal);

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http)
    {
        var response = await http.GetAsync(new Uri(Extensions.MetricsPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString() ?? "");
    }

    public IEnumerable<string> Samples(string name) => SampleLines.Where(line => NameOf(line) == name);

    /// <summary>The sum of a metric's samples across its label sets.</summary>
    public double Value(string name) =>
        Samples(name).Sum(line => double.Parse(ValueField(line), System.Globalization.CultureInfo.InvariantCulture));

    // A sample is `name{labels} value [timestamp]`; label values may hold spaces, so read after the labels.
    private static string ValueField(string line)
    {
        var labelsEnd = line.IndexOf('{', StringComparison.Ordinal) < 0 ? NameOf(line).Length : line.LastIndexOf('}') + 1;
        return line[labelsEnd..].Trim().Split(' ')[0];
    }

    private static string NameOf(string line)
    {
        var end = line.IndexOfAny(['{', ' ']);
        return end < 0 ? line : line[..end];
    }
}
