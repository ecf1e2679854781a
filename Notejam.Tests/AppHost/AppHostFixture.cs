using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Notejam.Tests.AppHost;

/// <summary>
/// The whole topology as `dotnet run --project Notejam.AppHost` starts it, once for all the tests that
/// need it (a start costs seconds). Where no container runtime is healthy, PostgreSQL is the machine's
/// own, in a data directory of this run's.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("notejam-apphost-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Notejam_AppHost>(
            [$"--Postgres:DataDirectory={_dataDirectory}"]);
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
    }

    public async Task<CustomResourceSnapshot> SnapshotAsync(string resource, Func<CustomResourceSnapshot, bool> until)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var found = await App.ResourceNotifications.WaitForResourceAsync(resource, e => until(e.Snapshot), timeout.Token);
        return found.Snapshot;
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostTests : ICollectionFixture<AppHostFixture>
{
    public const string Name = "The AppHost's topology";
}
