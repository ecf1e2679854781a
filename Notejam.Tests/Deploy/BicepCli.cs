using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Notejam.Tests.Deploy;

/// <summary>
/// The Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64, the version infra/check.sh uses), restored with this
/// project; its bundled Azure resource types are the reference the deployment checks hold our files against.
/// </summary>
internal static class BicepCli
{
    public static string Path
    {
        get
        {
            var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "BicepCli").Value!;
            if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture
                != System.Runtime.InteropServices.Architecture.X64)
            {
                Assert.Fail("The deployment checks run the Bicep CLI for Linux x64 (Azure.Bicep.CommandLine.linux-x64).");
            }

            Assert.True(File.Exists(path), $"No Bicep CLI at {path}: restore Notejam.Tests.");
            if (OperatingSystem.IsLinux() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            }

            return path;
        }
    }

    /// <summary>Runs <c>bicep build</c> on a file; answers the compiled ARM template and every diagnostic line.</summary>
    public static async Task<(JsonObject? Template, string[] Diagnostics)> BuildAsync(string bicepFile)
    {
        using var process = Process.Start(new ProcessStartInfo(Path, ["build", bicepFile, "--stdout"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var diagnostics = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (process.ExitCode == 0 ? JsonNode.Parse(await output) as JsonObject : null, diagnostics);
    }

    /// <summary>infra/main.bicep compiled (once per test run).</summary>
    public static readonly Lazy<Task<JsonObject>> MainTemplate = new(async () =>
    {
        var (template, diagnostics) = await BuildAsync(System.IO.Path.Combine(Repository.Root, "infra", "main.bicep"));
        Assert.True(template is not null, "infra/main.bicep does not build:\n" + string.Join('\n', diagnostics));
        return template!;
    });
}

internal static class Repository
{
    public static string Root => AppHost.ManifestTests.RepositoryRoot();

    public static string Read(params string[] path) => File.ReadAllText(System.IO.Path.Combine([Root, .. path]));
}
