using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Notejam.Tests.Web;

/// <summary>
/// One page view is one trace, as the Aspire dashboard shows it: the web's server span, its HTTP call to the API,
/// the API's server span and the PostgreSQL commands it ran, read back from what the services' OpenTelemetry
/// pipelines export (an in-memory exporter added to each).
/// </summary>
[Collection(SiteTests.Name)]
public sealed class TracingTests(SiteFactory site)
{
    [Fact]
    public async Task A_page_view_is_one_trace_from_the_web_through_the_api_to_postgresql()
    {
        var exported = new LockedList<Activity>();
        void Export(IWebHostBuilder host) => host.ConfigureServices(services =>
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(exported)));
        using var api = site.Api.AnotherReplica(Export);
        var apiAddress = ServerAddress.Of(api);
        var web = site.StartWeb(apiAddress, Export);
        using var person = await SiteUser.SignUpAndInAsync(site, web);
        await person.CreateNoteAsync("Traced");
        // The test's own activity: its HTTP client sends its trace context, as a browser's instrumentation would.
        SitePage page;
        ActivityTraceId trace;
        using (var visit = new Activity("A page view").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            visit.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            trace = visit.TraceId;
            page = await person.Browser.GetAsync("/");
        }

        Assert.Equal("All notes (1)", page.Title);
        // A server span ends (and is exported) just after its response went out.
        var webPort = ServerAddress.Of(web).Port;
        var spans = new List<Activity>();
        await Eventually.WhenAsync(() =>
        {
            // Every host in this process exports what it sees of the trace; one copy of each span is enough.
            spans = [.. exported.Snapshot().Where(a => a.TraceId == trace).DistinctBy(a => a.SpanId)];

            return Task.FromResult(spans.Any(s => s.Kind == ActivityKind.Server && Port(s) == webPort));
        }, TimeSpan.FromSeconds(5), Seen, TimeSpan.FromMilliseconds(50));

        string Seen()
        {
            var seen = exported.Snapshot();
            return $"{seen.Length} spans exported; of trace {trace}: " + string.Join("; ", seen.TakeLast(8).Select(a =>
                $"{a.TraceId} {a.Kind} {a.Source.Name} {a.DisplayName} " + string.Join(",", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))));
        }

        Assert.True(spans.Count(s => s.Kind == ActivityKind.Server && Port(s) == webPort) == 1, Seen());
        var webServer = spans.Single(s => s.Kind == ActivityKind.Server && Port(s) == webPort);
        var calls = spans.Where(s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && s.ParentSpanId == webServer.SpanId).ToList();
        Assert.NotEmpty(calls);
        var apiServers = spans.Where(s => s.Kind == ActivityKind.Server && calls.Any(c => c.SpanId == s.ParentSpanId)).ToList();
        Assert.NotEmpty(apiServers);
        Assert.All(apiServers, s => Assert.Equal(apiAddress.Port, Port(s)));
        var queries = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.Contains(apiServers, s => IsWithin(q, s, spans)));
        Assert.Contains(queries, q => (q.GetTagItem("db.query.text") ?? q.GetTagItem("db.statement"))?.ToString()?.Contains("\"Notes\"", StringComparison.Ordinal) == true);
    }

    /// <summary>
    /// Issue 16: what the dashboard lists for sharing, history and passkeys. Each is an API span named by its route (the
    /// route template, never an id or a token), in the trace of the page that asked for it.
    /// </summary>
    [Fact]
    public async Task Sharing_history_and_passkeys_are_traced_under_their_route_names()
    {
        var exported = new LockedList<Activity>();
        void Export(IWebHostBuilder host) => host.ConfigureServices(services =>
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(exported)));
        using var api = site.Api.AnotherReplica(Export);
        var apiAddress = ServerAddress.Of(api);
        var web = site.StartWeb(apiAddress, Export);
        using var person = await SiteUser.SignUpAndInAsync(site, web);
        var note = await person.CreateNoteAsync("Traced");
        await person.Browser.SubmitAsync(note, new Dictionary<string, string?>(), "main form.share-form");
        await person.Browser.GetAsync($"/notes/{note.IdInUrl}/history/");
        var settings = await person.Browser.GetAsync("/settings/");
        var token = settings.Document.QuerySelector("form[data-passkey=create] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await person.Browser.PostAsync("/settings/?handler=PasskeyOptions", [new("__RequestVerificationToken", token)]);

        string[] expected =
        [
            "PUT /notes/{id:int}/share", "GET /notes/{id:int}/versions", "GET /users/me/passkeys", "POST /users/me/passkeys/options",
        ];
        var routes = new HashSet<string>();
        await Eventually.WhenAsync(() =>
        {
            routes = [.. exported.Snapshot()
                .Where(s => s.Kind == ActivityKind.Server && Port(s) == apiAddress.Port && s.GetTagItem("http.route") is string)
                .Select(s => $"{s.GetTagItem("http.request.method")} {((string)s.GetTagItem("http.route")!).TrimEnd('/')}")];
            return Task.FromResult(expected.All(routes.Contains));
        }, TimeSpan.FromSeconds(5), () => $"expected {string.Join(", ", expected)}; the API's server spans name: {string.Join(", ", routes)}",
            TimeSpan.FromMilliseconds(50));
        Assert.DoesNotContain(routes, r => r.Contains(note.IdInUrl.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    private static int? Port(Activity span) => span.GetTagItem("server.port") switch
    {
        int port => port,
        long port => (int)port,
        string text when int.TryParse(text, out var port) => port,
        _ => null,
    };

    private static bool IsWithin(Activity span, Activity ancestor, List<Activity> spans)
    {
        for (var current = span; current is not null; current = spans.FirstOrDefault(s => s.SpanId == current.ParentSpanId))
        {
            if (current.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}
