using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Faults;

/// <summary>
/// What the fault tests do to the AppHost's topology, and how they put it back: signals to a service's own process (as
/// Kubernetes sends them to a container's), the dashboard's stop and start commands, and waits until every replica
/// answers again. Linux: processes are found through /proc.
/// </summary>
public sealed class TopologyFaults(AppHostFixture topology)
{
    public Uri Site => topology.App.GetEndpoint("web", "http");

    public Task<string> NotesConnectionStringAsync() => topology.App.GetConnectionStringAsync("notejam").AsTask()!;

    public IReadOnlyList<(string Id, int? ProcessId, string? State)> Instances(string resource) => topology.Instances(resource);

    public HashSet<int> ApiProcesses() => [.. topology.Instances("api").Select(i => i.ProcessId ?? 0)];

    /// <summary>The service's own process of an instance: the AppHost may run a project through `dotnet run`, whose child it then is.</summary>
    public static int AppProcess(int pid)
    {
        for (var depth = 0; depth < 3; depth++)
        {
            if (File.ReadAllText($"/proc/{pid}/comm").Trim().StartsWith("Notejam", StringComparison.Ordinal))
            {
                return pid;
            }

            var parent = pid;
            pid = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
                .Select(name => int.TryParse(name, out var child) ? child : 0)
                .FirstOrDefault(child => child > 0 && ParentOf(child) == parent);
            if (pid == 0)
            {
                throw new InvalidOperationException($"Process {parent} has no Notejam child");
            }
        }

        throw new InvalidOperationException("No Notejam process found");
    }

    /// <summary>Where one replica listens itself, behind the AppHost's proxy (from its environment).</summary>
    public static Uri ListeningAddress(int pid)
    {
        var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        var urls = environment.First(e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))["ASPNETCORE_URLS=".Length..];
        return new Uri(urls.Split(';').First(u => u.StartsWith("http://", StringComparison.Ordinal)).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL to an instance's own process: a crash.</summary>
    public static void Kill((string Id, int? ProcessId, string? State) instance) =>
        Process.GetProcessById(AppProcess(instance.ProcessId!.Value)).Kill();

    /// <summary>The machine's PostgreSQL gets a fast shutdown (SIGINT); a container is stopped by the AppHost.</summary>
    public async Task StopPostgresAsync()
    {
        if (topology.Instances("postgres").Single().ProcessId is { } pid)
        {
            Signal(pid, "INT");
        }
        else
        {
            await ExecuteAsync("postgres", KnownResourceCommands.StopCommand);
        }

        await Eventually.WhenAsync(() => Task.FromResult(topology.Instances("postgres").Single().State != KnownResourceStates.Running),
            TimeSpan.FromSeconds(30), () => "the AppHost to see PostgreSQL stop");
    }

    public Task StartPostgresAsync() => ExecuteAsync("postgres", KnownResourceCommands.StartCommand);

    /// <summary>Starts replicas again once the AppHost has seen them go, and waits until every replica answers.</summary>
    public async Task RestartAsync(params string[] instances)
    {
        foreach (var instance in instances)
        {
            await Eventually.WhenAsync(
                () => Task.FromResult(topology.Instances("api").Single(i => i.Id == instance).State != KnownResourceStates.Running),
                TimeSpan.FromSeconds(60), () => $"{instance} to show as stopped", TimeSpan.FromMilliseconds(200));
            await ExecuteAsync(instance, KnownResourceCommands.StartCommand);
        }

        await WaitUntilRunningAsync("api");
    }

    /// <summary>Until every instance of the resource has a process that answers /alive itself.</summary>
    public async Task WaitUntilRunningAsync(string resource)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WhenAsync(async () =>
        {
            var alive = 0;
            foreach (var instance in topology.Instances(resource))
            {
                try
                {
                    var answer = await probe.GetAsync(new Uri(ListeningAddress(AppProcess(instance.ProcessId ?? 0)), "/alive"));
                    alive += answer.IsSuccessStatusCode ? 1 : 0;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException)
                {
                    // Not there yet.
                }
            }

            return alive == topology.Instances(resource).Count;
        }, TimeSpan.FromSeconds(90), () => $"{resource}: {string.Join(", ", topology.Instances(resource))}", TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// The site as the next test (a browser journey, say) expects it: every replica up, a new person served five pages in
    /// a row (from an address of its own, so that no limit of the scenarios before counts).
    /// </summary>
    public async Task SiteServesAgainAsync()
    {
        await WaitUntilRunningAsync("api");
        await Eventually.WhenAsync(() =>
        {
            var browser = new SiteBrowser(Site);
            browser.Headers.Add("X-Forwarded-For", $"198.19.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}");
            return SiteUser.CanSignUpAndReadAsync(browser, reads: 5);
        }, TimeSpan.FromSeconds(60), () => "a new person served five pages in a row", TimeSpan.FromMilliseconds(500));
    }

    /// <summary>A command of the dashboard's, on a resource (every replica of it) or one instance.</summary>
    private async Task ExecuteAsync(string resource, string command)
    {
        var model = topology.App.Services.GetRequiredService<DistributedApplicationModel>();
        var result = model.Resources.SingleOrDefault(r => r.Name == resource) is { } whole
            ? await topology.App.ResourceCommands.ExecuteCommandAsync(whole, command)
            : await topology.App.ResourceCommands.ExecuteCommandAsync(resource, command);
        Assert.True(result.Success, $"{command} {resource}: {result.Message}");
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
