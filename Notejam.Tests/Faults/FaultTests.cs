using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Notejam.DevTools.Load;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Faults;

/// <summary>
/// What production does to a service, done to the topology the AppHost starts (two api replicas), under load from
/// 20 people. Each scenario puts the system back as it found it, and writes its figures to the test output and to
/// TestResults/faults.md.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Faults)]
[Collection(AppHostTests.Name)]
public sealed class FaultTests(AppHostFixture topology, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TopologyFaults faults = new(topology);

    private const int People = 20;
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(5);
    private static int _tableStarted;

    [Fact]
    public async Task A_database_outage_of_10_s_is_answered_cleanly_and_loses_nothing()
    {
        await faults.WaitUntilRunningAsync("api");
        var apiBefore = faults.ApiProcesses();
        using var probe = await SiteUser.SignUpAndInAsync(new SiteBrowser(Site));
        using var load = await SiteLoad.StartAsync(Site, People, writeShare: 0.3);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var outageStarted = load.Elapsed;
        await faults.StopPostgresAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        await faults.StartPostgresAsync();
        var back = load.Elapsed;
        await Eventually.WhenAsync(async () => (await probe.Browser.GetAsync("/")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => "the probe's notes page again after PostgreSQL returned");
        var recovered = load.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(4));
        var result = await load.StopAsync();
        var writes = await result.CheckWritesAsync(await faults.NotesConnectionStringAsync());

        Report("Database outage", $"PostgreSQL stopped (fast shutdown) at {Seconds(outageStarted)}, started again at {Seconds(back)}, " +
            $"10 s down, {People} people, 30% writes", result, writes,
            $"first success {Seconds(recovered - back)} after PostgreSQL was started; api processes unchanged: {faults.ApiProcesses().SetEquals(apiBefore)}");
        Assert.Empty(result.Broken);
        Assert.True(result.Slowest < SiteLoad.ClientTimeout, $"A request took {result.Slowest}");
        Assert.True(recovered - back <= Recovery, $"The site answered again only {recovered - back} after PostgreSQL returned");
        Assert.Equal(0, writes.Lost);
        Assert.Equal(0, writes.Duplicated);
        Assert.True(writes.Acknowledged > 0);
        Assert.Equal(apiBefore, faults.ApiProcesses());
        Assert.All(result.Outcomes.Where(o => o.At > recovered + TimeSpan.FromSeconds(1)), o => Assert.True(o.Succeeded, $"{o}"));
    }

    [Fact]
    public async Task When_an_api_replica_dies_the_site_keeps_serving_through_the_other()
    {
        await faults.WaitUntilRunningAsync("api");
        var victim = faults.Instances("api")[0];
        using var load = await SiteLoad.StartAsync(Site, People, writeShare: 0.1);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var killedAt = load.Elapsed;
        TopologyFaults.Kill(victim);
        await Task.Delay(TimeSpan.FromSeconds(8));
        var result = await load.StopAsync();
        var writes = await result.CheckWritesAsync(await faults.NotesConnectionStringAsync());
        await faults.RestartAsync(victim.Id);

        Report("An api replica dies", $"SIGKILL to {victim.Id} (1 of 2) at {Seconds(killedAt)}, {People} people, 10% writes", result, writes, "");
        Assert.True(result.FailedShare < 0.01, result.Describe());
        Assert.Equal(0, writes.Lost);
        Assert.Equal(0, writes.Duplicated);
    }

    [Fact]
    public async Task On_SIGTERM_an_api_replica_turns_unready_first_and_finishes_what_it_started()
    {
        await faults.WaitUntilRunningAsync("api");
        var victim = faults.Instances("api")[1];
        var app = TopologyFaults.AppProcess(victim.ProcessId!.Value);
        var direct = new Uri(TopologyFaults.ListeningAddress(app), "/health");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync(direct)).StatusCode);
        using var load = await SiteLoad.StartAsync(Site, People, writeShare: 0.3);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var signalled = Stopwatch.StartNew();
        TopologyFaults.Signal(app, "TERM");
        using var process = Process.GetProcessById(app);
        var unready = await Eventually.WhenAsync(async () =>
        {
            try
            {
                return (await probe.GetAsync(direct)).StatusCode == HttpStatusCode.ServiceUnavailable;
            }
            catch (HttpRequestException)
            {
                // Not listening any more: it is on its way out, and never said so.
                Assert.Fail("The replica stopped listening before /health answered 503");
                return false;
            }
        }, TimeSpan.FromSeconds(10), () => "/health to answer 503 after SIGTERM", TimeSpan.FromMilliseconds(50));
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await process.WaitForExitAsync(exit.Token);
        }

        var exited = signalled.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var result = await load.StopAsync();
        var writes = await result.CheckWritesAsync(await faults.NotesConnectionStringAsync());
        await faults.RestartAsync(victim.Id);

        Report("Graceful shutdown", $"SIGTERM to {victim.Id} (1 of 2) under load, {People} people, 30% writes", result, writes,
            $"/health answered 503 after {Seconds(unready)}, the process exited after {Seconds(exited)}");
        // Readiness flips when the host's stopping token fires, which the signal does at once; the bound only has to tell
        // "at once" from "after the drain" on a loaded machine (1.3 s once in CI, with the suite's own load beside it).
        Assert.True(unready < TimeSpan.FromSeconds(5), $"Unready only after {unready}");
        Assert.True(exited > unready + TimeSpan.FromSeconds(2), "It stopped listening before load balancers could notice");
        Assert.Empty(result.Broken);
        // Nothing failed for the shutdown; a read slower than the site's read budget on a busy machine may be a 503 page.
        Assert.True(result.FailedShare < 0.01, result.Describe());
        Assert.Equal(0, writes.Lost);
        Assert.Equal(0, writes.Duplicated);
    }

    /// <summary>
    /// The web gives a page read 1.8 s (Notejam:ApiReadBudget) and then answers the 503 page. The bound here is 3 s: under
    /// the whole suite's load a 503 once came 2.03 s after the request, and this topology cannot lower the budget without
    /// turning slow reads of the load tests beside it into 503s (SilentApiTests pins the budget itself, at 1 s).
    /// </summary>
    [Fact]
    public async Task With_the_api_unreachable_the_site_answers_503_within_3_s_and_recovers_by_itself()
    {
        await faults.WaitUntilRunningAsync("api");
        using var person = await SiteUser.SignUpAndInAsync(new SiteBrowser(Site));

        // Both replicas crash (SIGKILL): nothing answers behind the api's endpoint.
        var replicas = faults.Instances("api");
        foreach (var replica in replicas)
        {
            TopologyFaults.Kill(replica);
        }

        var answers = new List<(HttpStatusCode Status, TimeSpan Took, string Title)>();
        for (var i = 0; i < 5; i++)
        {
            var took = Stopwatch.StartNew();
            var page = await person.Browser.GetAsync("/");
            answers.Add((page.Status, took.Elapsed, page.Title));
        }

        await faults.RestartAsync([.. replicas.Select(r => r.Id)]);

        var recovered = await Eventually.WhenAsync(async () => (await person.Browser.GetAsync("/")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), () => "pages served again after the api was started");

        var slowest = answers.Max(a => a.Took);
        Record("api unreachable", "both api replicas killed; 5 page reads; both started again",
            $"answers {string.Join(", ", answers.Select(a => (int)a.Status).Distinct())} ({answers[0].Title}), slowest {Ms(slowest)}; " +
            $"pages served again {Seconds(recovered)} after the api was started", "nothing (reads only)");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(answers, a => Assert.Equal("Notejam is resting", a.Title));
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"The 503 page took {slowest}");
    }

    public Task InitializeAsync() => faults.WaitUntilRunningAsync("api");

    /// <summary>The next test (a browser journey, say) finds the site as before: every replica up, pages served.</summary>
    public Task DisposeAsync() => faults.SiteServesAgainAsync();

    private Uri Site => faults.Site;

    private void Report(string scenario, string done, LoadResult result, WriteCheck writes, string more) =>
        Record(scenario, done, result.Describe() + (more.Length > 0 ? "; " + more : ""), writes.ToString());

    private void Record(string scenario, string done, string measured, string lost)
    {
        var line = $"| {scenario} | {done} | {measured} | {lost} |";
        output.WriteLine(line);
        var file = Path.Combine(ManifestTests.RepositoryRoot(), "TestResults", "faults.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // A new table for each test run.
        if (Interlocked.Exchange(ref _tableStarted, 1) == 0 || !File.Exists(file))
        {
            File.WriteAllText(file, "| scenario | done to the system | measured | lost |\n|---|---|---|---|\n");
        }

        File.AppendAllText(file, line + "\n");
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1} s");

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:F0} ms");
}
