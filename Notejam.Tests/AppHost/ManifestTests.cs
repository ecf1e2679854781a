using System.Diagnostics;
using System.Text.Json;

namespace Notejam.Tests.AppHost;

/// <summary>
/// The deployment manifest, as `dotnet run --project Notejam.AppHost -- --publisher manifest` writes it,
/// and the deployments that must carry every project it names: infra/ (azd) and the Helm chart.
/// </summary>
public sealed class ManifestTests
{
    private static readonly Lazy<Task<JsonElement>> Manifest = new(PublishAsync);

    [Fact]
    public async Task The_manifest_names_the_database_the_migrations_the_api_and_the_web()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

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

    [Fact]
    public async Task Every_project_of_the_manifest_is_deployed_by_azd_infra_and_by_the_helm_chart()
    {
        var projects = (await Manifest.Value).GetProperty("resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("type").GetString() == "project.v0")
            .Select(r => r.Name)
            .ToList();
        var infra = ReadAll("infra", "*.bicep");
        var chart = ReadAll(Path.Combine("deploy", "helm", "notejam", "templates"), "*.yaml");

        Assert.Equal(["api", "migrations", "web"], projects.Order());
        Assert.Contains("'azd-service-name': serviceName", infra, StringComparison.Ordinal);
        foreach (var project in projects)
        {
            Assert.Contains($"app.kubernetes.io/component: {project}", chart, StringComparison.Ordinal);
            // azd deploys the apps by their azd-service-name tag (the container-app module sets it from serviceName);
            // the migrations run as a Container Apps job.
            Assert.Contains(project == "migrations" ? "'migrate'" : $"serviceName: '{project}'", infra, StringComparison.Ordinal);
        }
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

    private static string ReadAll(string folder, string pattern) => string.Join('\n',
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), folder), pattern, SearchOption.AllDirectories).Select(File.ReadAllText));

    private static async Task<JsonElement> PublishAsync()
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
        return manifest.RootElement.Clone();
    }
}
