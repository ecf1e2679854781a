using System.Diagnostics;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// `Notejam.Api probe` and `Notejam.Web probe`, the containers' health-check command in deploy/compose/compose.yaml:
/// the built programs, run as a container engine runs them, against a running api.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class HealthProbeTests(SiteFactory site)
{
    [Theory]
    [InlineData("Notejam.Api")]
    [InlineData("Notejam.Web")]
    public async Task The_probe_exits_0_for_a_healthy_service_and_1_for_anything_else(string program)
    {
        var api = ServerAddress.Of(site.Api);

        Assert.Equal(0, await ProbeAsync(program, new Uri(api, "/health")));
        Assert.Equal(1, await ProbeAsync(program, new Uri(api, "/no-such-page")));
        Assert.Equal(1, await ProbeAsync(program, new Uri("http://127.0.0.1:9/health"))); // nothing listens there
    }

    private static async Task<int> ProbeAsync(string program, Uri url)
    {
        var folder = Path.Combine(ManifestTests.RepositoryRoot(), program, "bin", BuiltApi.Configuration, "net10.0");
        using var probe = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(folder, $"{program}.dll"), "probe", url.AbsoluteUri])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await probe.WaitForExitAsync(timeout.Token);
        return probe.ExitCode;
    }
}
