using System.ComponentModel;
using System.Diagnostics;

namespace Notejam.AppHost;

/// <summary>Whether the container runtime Aspire would use answers, so that containers are chosen only where they can start.</summary>
internal static class ContainerRuntime
{
    public static bool IsHealthy(IDistributedApplicationBuilder builder)
    {
        var runtime = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        try
        {
            using var info = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (info is null)
            {
                return false;
            }

            if (!info.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                info.Kill(entireProcessTree: true);
                return false;
            }

            return info.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            // The runtime's CLI is not installed.
            return false;
        }
    }
}
