using System.Diagnostics;
using System.Security.Cryptography;
using Notejam.DevTools;
using Notejam.DevTools.Postgres;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Containers;

/// <summary>
/// Notejam for people without .NET: deploy/compose/compose.yaml as its header says to run it (an environment file from
/// new-env.sh, then up), with the images <see cref="NotejamImages"/> built and its PostgreSQL image, as a project of its
/// own. Compose's own contract does the waiting: up returns once every depends_on condition held (PostgreSQL healthy,
/// migrate exited 0, the api healthy); the web's health check is then waited for, and a person signs up, signs in and
/// keeps a note through the published port, which only works when the api reached PostgreSQL.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Containers)]
[Collection(ImagesRun.Name)]
public sealed class ComposeTests(NotejamImages images, ITestOutputHelper output)
{
    [ComposeFact]
    public async Task Compose_brings_Notejam_up_healthy_from_the_images_and_a_person_keeps_a_note()
    {
        var root = ManifestTests.RepositoryRoot();
        var port = 20000 + RandomNumberGenerator.GetInt32(10000);
        var environment = Path.Combine(Path.GetTempPath(), $"notejam-compose-{Guid.NewGuid():N}.env");
        // A /24 of 10.x: Docker's own address pools (172.17-31.x, 192.168.x) may hold the images' network already.
        await File.WriteAllTextAsync(environment, await ThisMachine.OutputOfAsync("bash", [Path.Combine(root, "deploy", "compose", "new-env.sh")], TimeSpan.FromSeconds(30)) + $"""
            NOTEJAM_PORT={port}
            NOTEJAM_API_IMAGE={images.ApiImage}
            NOTEJAM_WEB_IMAGE={images.WebImage}
            NOTEJAM_POSTGRES_IMAGE={images.PostgresImage}
            NOTEJAM_SUBNET=10.{200 + RandomNumberGenerator.GetInt32(50)}.{RandomNumberGenerator.GetInt32(250)}.0/24

            """);
        string[] project = ["-p", $"notejam-compose-{Guid.NewGuid():N}"[..24], "--env-file", environment, "-f", Path.Combine(root, "deploy", "compose", "compose.yaml")];
        try
        {
            var started = Stopwatch.StartNew();
            await ComposeFactAttribute.ComposeAsync([.. project, "up", "-d"]);
            var web = (await ComposeFactAttribute.ComposeAsync([.. project, "ps", "-q", "web"])).Trim();
            await Eventually.WhenAsync(
                async () => (await NotejamImages.DockerAsync("inspect", "-f", "{{.State.Health.Status}}", web)).Trim() == "healthy",
                TimeSpan.FromSeconds(120), () => "compose's web was not healthy within 120 s", TimeSpan.FromMilliseconds(500));
            var healthy = started.Elapsed;

            using var person = await SiteUser.SignUpAndInAsync(new SiteBrowser(new Uri($"http://127.0.0.1:{port}/")));
            await person.CreateNoteAsync("Kept through compose");
            Assert.Contains("Kept through compose", (await person.Browser.GetAsync("/")).NoteNames);
            var migrate = (await ComposeFactAttribute.ComposeAsync([.. project, "ps", "-q", "migrate"])).Trim();
            var migrated = (await NotejamImages.DockerAsync("inspect", "-f", "{{.State.ExitCode}}", migrate)).Trim();
            Assert.Equal("0", migrated);
            NotejamImages.Report(output, $"compose: every service healthy {healthy.TotalSeconds:F1} s after up (migrate exited {migrated}); " +
                $"a person signed up and kept a note through its site ({string.Join(' ', ComposeFactAttribute.Command!)})");
        }
        finally
        {
            try
            {
                await ComposeFactAttribute.ComposeAsync([.. project, "down", "-v"]);
            }
            finally
            {
                File.Delete(environment);
            }
        }
    }
}

/// <summary>A fact that needs a container engine and Compose (v2's <c>docker compose</c>, or docker-compose 1.29); skipped, saying so, without them.</summary>
public sealed class ComposeFactAttribute : FactAttribute
{
    /// <summary>Compose's command: <c>docker compose</c> where the plugin answers, else <c>docker-compose</c>; none when neither does.</summary>
    public static readonly string[]? Command = FindCommand();

    public ComposeFactAttribute()
    {
        if (!ContainerFactAttribute.EngineAnswers)
        {
            Skip = $"No container engine answers ('{ContainerPostgres.Runtime} info' failed): start Docker to run compose's file.";
        }
        else if (Command is null)
        {
            Skip = "Neither 'docker compose' nor 'docker-compose' answers: install Compose to run deploy/compose/compose.yaml.";
        }
    }

    public static Task<string> ComposeAsync(string[] args) => ThisMachine.OutputOfAsync(Command![0], [.. Command.Skip(1), .. args], TimeSpan.FromMinutes(5));

    private static string[]? FindCommand()
    {
        foreach (var command in new[] { new[] { ContainerPostgres.Runtime, "compose" }, ["docker-compose"] })
        {
            try
            {
                ThisMachine.OutputOfAsync(command[0], [.. command.Skip(1), "version"], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                return command;
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // not this one
            }
        }

        return null;
    }
}
