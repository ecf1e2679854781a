using System.Diagnostics;
using System.Text.Json;

namespace Notejam.Tests.AppHost;

/// <summary>The deployment manifest, as `dotnet run --project Notejam.AppHost -- --publisher manifest` writes it.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task The_manifest_names_the_database_the_migrations_the_api_and_the_web()
    {
        var output = Path.Combine(Path.GetTempPath(), $"notejam-manifest-{Guid.NewGuid():N}.json");
        var appHost = Path.Combine(RepositoryRoot(), "Notejam.AppHost");
        using var run = Process.Start(new ProcessStartInfo("dotnet",
            ["run", "--project", appHost, "--no-build", "--configuration", Configuration, "--no-launch-profile", "--", "--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = run.StandardOutput.ReadToEndAsync();
        var errors = run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.True(run.ExitCode == 0, $"The AppHost failed to publish: {await log}{await errors}");

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.Equal("parameter.v0", resources.GetProperty("notejam").GetProperty("type").GetString());
        foreach (var project in new[] { "migrations", "api", "web" })
        {
            Assert.Equal("project.v0", resources.GetProperty(project).GetProperty("type").GetString());
        }

        Assert.Contains("{notejam.connectionString}", resources.GetProperty("api").GetProperty("env").GetRawText(), StringComparison.Ordinal);
        Assert.False(resources.TryGetProperty("postgres", out _), "The development database must not be deployed.");
        Assert.False(resources.TryGetProperty("mail", out _), "The development mail sink must not be deployed.");
        Assert.DoesNotContain("{mail.", resources.GetRawText(), StringComparison.Ordinal);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Notejam.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Notejam.sln is not above the test's directory.");
    }
}
