using System.Diagnostics;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

/// <summary>
/// The deployment manifest, as `dotnet run --project Notejam.AppHost -- --publisher manifest` writes it,
/// and the deployments that must carry every project it names: infra/ (azd) and the Helm chart.
/// </summary>
[Trait(TestLayers.Name, TestLayers.AppHost)]
public sealed class ManifestTests
{
    private static readonly Lazy<Task<JsonElement>> Manifest = new(() => PublishAsync());

    [Fact]
    public async Task The_manifest_names_the_database_the_api_and_the_web()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

        Assert.Equal("parameter.v0", resources.GetProperty("notejam").GetProperty("type").GetString());
        foreach (var project in new[] { "api", "web" })
        {
            Assert.Equal("project.v0", resources.GetProperty(project).GetProperty("type").GetString());
        }

        Assert.Contains("{notejam.connectionString}", resources.GetProperty("api").GetProperty("env").GetRawText(), StringComparison.Ordinal);
        // The web's one credential is its own database's; nothing of the notes database is in its configuration.
        Assert.Equal("parameter.v0", resources.GetProperty("webkeyring").GetProperty("type").GetString());
        var webEnv = resources.GetProperty("web").GetProperty("env").GetRawText();
        Assert.Contains("{webkeyring.connectionString}", webEnv, StringComparison.Ordinal);
        Assert.DoesNotContain("{notejam.", webEnv, StringComparison.Ordinal);
        Assert.DoesNotContain("{webkeyring.", resources.GetProperty("api").GetProperty("env").GetRawText(), StringComparison.Ordinal);
        Assert.False(resources.TryGetProperty("postgres", out _), "The development database must not be deployed.");
        Assert.False(resources.TryGetProperty("mail", out _), "The development mail sink must not be deployed.");
        Assert.DoesNotContain("{mail.", resources.GetRawText(), StringComparison.Ordinal);
        // azd would deploy a `migrations` project as a container app that exits and is restarted for ever (its Aspire
        // generator has no job mapping): deployments run `migrate` their own way (see below).
        Assert.False(resources.TryGetProperty("migrations", out _), "The one-shot migrations must not be a service of the manifest.");
    }

    [Fact]
    public async Task Every_project_of_the_manifest_is_deployed_by_azd_and_by_the_helm_chart_and_both_migrate_first()
    {
        var projects = (await Manifest.Value).GetProperty("resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("type").GetString() == "project.v0")
            .Select(r => r.Name)
            .ToList();
        var chart = ReadAll(Path.Combine("deploy", "helm", "notejam", "templates"), "*.yaml");

        Assert.Equal(["api", "web"], projects.Order());
        foreach (var project in projects)
        {
            Assert.Contains($"app.kubernetes.io/component: {project}", chart, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "Notejam.AppHost", "infra", $"{project}.tmpl.yaml")),
                $"azd deploys `{project}` from Notejam.AppHost/infra/{project}.tmpl.yaml");
        }

        // Kubernetes: a Helm hook job; Container Apps: the api's init container (Deploy/AzdContractTests).
        Assert.Contains("app.kubernetes.io/component: migrations", chart, StringComparison.Ordinal);
        Assert.Contains("args: [\"migrate\"]", chart, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_images_of_a_delivery_the_manifest_names_those_images_instead_of_the_projects()
    {
        var resources = (await PublishAsync(
            "--Notejam:Images:api=cr0.azurecr.io/notejam-api:sha-0123456789ab",
            "--Notejam:Images:web=cr0.azurecr.io/notejam-web:sha-0123456789ab")).GetProperty("resources");

        foreach (var service in new[] { "api", "web" })
        {
            var resource = resources.GetProperty(service);
            Assert.Equal("container.v0", resource.GetProperty("type").GetString());
            Assert.Equal($"cr0.azurecr.io/notejam-{service}:sha-0123456789ab", resource.GetProperty("image").GetString());
            Assert.Equal(8080, resource.GetProperty("bindings").GetProperty("http").GetProperty("targetPort").GetInt32());
        }

        Assert.Contains("{notejam.connectionString}", resources.GetProperty("api").GetProperty("env").GetRawText(), StringComparison.Ordinal);
        Assert.False(resources.TryGetProperty("migrations", out _));
    }

    [Theory]
    [InlineData("--Notejam:Images:api=cr0.azurecr.io/notejam-api:sha-1")]
    [InlineData("--Notejam:Images:web=cr0.azurecr.io/notejam-web:sha-1")]
    [InlineData("--Notejam:Images:api=cr0.azurecr.io/notejam-api", "--Notejam:Images:web=cr0.azurecr.io/notejam-web")]
    public async Task Half_a_delivery_or_an_untagged_image_stops_the_publish_with_a_message(params string[] settings)
    {
        var error = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => PublishAsync(settings));

        Assert.Contains("Notejam:Images:", error.Message, StringComparison.Ordinal);
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

    /// <summary>The AppHost's manifest, as azd asks for it (cli/azd/pkg/apphost/manifest.go, ManifestFromAppHost).</summary>
    internal static async Task<JsonElement> PublishAsync(params string[] settings)
    {
        var output = Path.Combine(Path.GetTempPath(), $"notejam-manifest-{Guid.NewGuid():N}.json");
        var appHost = Path.Combine(RepositoryRoot(), "Notejam.AppHost");
        using var run = Process.Start(new ProcessStartInfo("dotnet",
            ["run", "--project", appHost, "--no-build", "--configuration", Configuration, "--no-launch-profile", "--", "--publisher", "manifest", "--output-path", output, .. settings])
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
