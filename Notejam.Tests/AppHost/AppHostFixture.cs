using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

/// <summary>
/// The whole topology as `dotnet run --project Notejam.AppHost -- --Notejam:ApiReplicas=2` starts it, once for all
/// the tests that need it (a start costs seconds). Where no container runtime is healthy, PostgreSQL is the machine's
/// own, in a data directory of this run's. The services wait 3 s between "not ready" and stopping, as in production.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime, IDisposable
{
    public const int ApiReplicas = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    // The latest snapshot of every resource instance (a replica is an instance of its resource).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ResourceEvent> _latest = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _watching = Task.CompletedTask;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("notejam-apphost-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Notejam_AppHost>(
            [$"--Postgres:DataDirectory={_dataDirectory}", $"--Notejam:ApiReplicas={ApiReplicas}",
                // Given, not generated: a test run leaves the developer's user secrets alone.
                $"--Parameters:api-key-encryption-key={Guid.NewGuid():N}{Guid.NewGuid():N}",
                $"--Parameters:web-key-encryption-key={Guid.NewGuid():N}{Guid.NewGuid():N}",
                $"--Parameters:webkeyring-password={Guid.NewGuid():N}"]);
        // Every limit as shipped: the journeys and the fault suite all come from 127.0.0.1, which Development exempts.
        foreach (var service in new[] { "api", "web" })
        {
            builder.CreateResourceBuilder<ProjectResource>(service).WithEnvironment("Notejam__ShutdownDelay", "00:00:03");
        }

        App = await builder.BuildAsync();
        _watching = WatchAsync(_stopping.Token);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        // The web no longer waits for the api to start; the tests do.
        await App.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);

        // Healthy is not yet warm: on a loaded machine the first sign-up through a cold site once outlasted the web's 5 s
        // attempt at the api (CI: the page came back with its 503). The tests begin once a person can sign up and read.
        await Eventually.WhenAsync(() => SiteUser.CanSignUpAndReadAsync(new SiteBrowser(App.GetEndpoint("web", "http"))),
            StartTimeout, () => "a person signing up and reading their notes through the site", TimeSpan.FromSeconds(1));
    }

    public async Task<CustomResourceSnapshot> SnapshotAsync(string resource, Func<CustomResourceSnapshot, bool> until)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var found = await App.ResourceNotifications.WaitForResourceAsync(resource, e => until(e.Snapshot), timeout.Token);
        return found.Snapshot;
    }

    /// <summary>The running instances of a resource (its replicas), with their process ids where they are processes.</summary>
    public IReadOnlyList<(string Id, int? ProcessId, string? State)> Instances(string resource) =>
    [
        .. _latest.Values.Where(e => e.Resource.Name == resource).OrderBy(e => e.ResourceId, StringComparer.Ordinal).Select(e =>
        {
            var pid = e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
            return (e.ResourceId, pid is null ? (int?)null : Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture), e.Snapshot.State?.Text);
        }),
    ];

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(stopping))
            {
                _latest[update.ResourceId] = update;
            }
        }
        catch (OperationCanceledException)
        {
            // The fixture is going away.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private static void KillIfLeftBehind(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            if (commandLine.Contains("Notejam", StringComparison.Ordinal) || process.ProcessName == "postgres")
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or InvalidOperationException)
        {
            // Gone, as it should be.
        }
    }

    public async Task DisposeAsync()
    {
        // Every process the AppHost ran for us; a replica stopped and started again by a fault test can be left behind.
        var processes = _latest.Values.Select(e => e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value)
            .OfType<object>().Select(pid => Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await _stopping.CancelAsync();
        await _watching;
        await App.StopAsync();
        await App.DisposeAsync();
        foreach (var pid in processes)
        {
            KillIfLeftBehind(pid);
        }
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostTests : ICollectionFixture<AppHostFixture>
{
    public const string Name = "The AppHost's topology";
}
