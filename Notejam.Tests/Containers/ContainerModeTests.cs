using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Notejam.DevTools.Postgres;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Containers;

/// <summary>
/// The AppHost's container mode, which <c>Postgres:Mode=Auto</c> picks wherever a container engine answers: PostgreSQL
/// in a container with a data volume and a password parameter, the mail sink in a container, both health-checked by
/// Aspire, the api, the web and the migration on the host. Images as configured (<c>Postgres:Container*</c>,
/// <c>MailSink:Container*</c>; CI gives the offline stand-ins of deploy/containers/, made from Debian's packages and the
/// smtp4dev tool). A second start on the same volume and password finds what the first wrote.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Containers)]
public sealed class ContainerModeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    // The image settings a CI run or a developer's mirror gives as environment variables, passed on as they are.
    private static readonly string[] ImageSettings =
        [.. new[] { "Postgres", "MailSink" }.SelectMany(section => new[] { "ContainerRegistry", "ContainerImage", "ContainerTag" }
            .Select(setting => $"{section}:{setting}"))];

    [ContainerFact]
    public async Task The_topology_runs_on_containers_and_a_second_start_finds_the_notes_in_the_volume()
    {
        var volume = $"notejam-test-{Guid.NewGuid():N}";
        string[] args =
        [
            "--Postgres:Mode=Container", $"--Postgres:DataVolume={volume}",
            $"--Parameters:postgres-password={Guid.NewGuid():N}",
            $"--Parameters:api-key-encryption-key={Guid.NewGuid():N}{Guid.NewGuid():N}",
            $"--Parameters:web-key-encryption-key={Guid.NewGuid():N}{Guid.NewGuid():N}",
            $"--Parameters:webkeyring-password={Guid.NewGuid():N}",
            .. ImageSettings.Select(key => (key, value: Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal))))
                .Where(setting => !string.IsNullOrEmpty(setting.value))
                .Select(setting => $"--{setting.key}={setting.value}"),
        ];
        try
        {
            string email, password;
            await using (var first = await StartAsync(args))
            {
                foreach (var (resource, section) in new[] { ("postgres", "Postgres"), ("mail", "MailSink") })
                {
                    var container = Assert.IsAssignableFrom<ContainerResource>(Resource(first, resource));
                    var image = Assert.Single(container.Annotations.OfType<ContainerImageAnnotation>());
                    output.WriteLine($"{resource}: {image.Registry}/{image.Image}:{image.Tag}");
                    if (Environment.GetEnvironmentVariable($"{section}__ContainerImage") is { Length: > 0 } configured)
                    {
                        Assert.Equal(configured, image.Image);
                    }
                }

                var volumes = Resource(first, "postgres").Annotations.OfType<ContainerMountAnnotation>();
                Assert.Contains(volumes, mount => mount.Source == volume && mount.Type == ContainerMountType.Volume);

                var site = new SiteBrowser(first.GetEndpoint("web", "http"));
                using var person = await SiteUser.SignUpAndInAsync(site);
                (email, password) = (person.Email, person.Password);
                var padId = (await person.CreatePadAsync("In a volume")).IdInUrl;
                await person.CreateNoteAsync("Written before the restart", padId: padId);
                Assert.Contains("Written before the restart", (await person.Browser.GetAsync("/")).NoteNames);

                // The API's mail reaches the sink's container and its HTTP API reads it back.
                using var api = first.CreateHttpClient("api");
                Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync("/users/forgot-password", new { email })).StatusCode);
                using var sink = first.CreateHttpClient("mail", "http");
                Assert.Contains("/reset-password/?", await MailSink.PlainTextMailToAsync(sink, email), StringComparison.Ordinal);
            }

            await using (var second = await StartAsync(args))
            {
                using var browser = new SiteBrowser(second.GetEndpoint("web", "http"));
                var home = await SiteUser.SignInAsync(browser, email, password);
                Assert.True(home.Url.AbsolutePath == "/", $"signing in again ended on {home.Url.AbsolutePath}: \"{home.Error}\"");
                Assert.Equal(["Written before the restart"], home.NoteNames);
                Assert.Contains("In a volume", home.PadNames);
            }
        }
        finally
        {
            await Docker("volume", "rm", "-f", volume);
        }
    }

    private static IResource Resource(DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    private async Task<DistributedApplication> StartAsync(string[] args)
    {
        var started = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Notejam_AppHost>(args);
        var app = await builder.BuildAsync();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "postgres", "mail", "api", "web" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }

            await Eventually.WhenAsync(() => SiteUser.CanSignUpAndReadAsync(new SiteBrowser(app.GetEndpoint("web", "http"))),
                StartTimeout, () => "a person signing up and reading their notes through the site", TimeSpan.FromSeconds(1));
            output.WriteLine($"healthy and serving in container mode after {started.Elapsed.TotalSeconds:F1} s");
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static async Task Docker(params string[] args)
    {
        using var docker = Process.Start(new ProcessStartInfo(ContainerPostgres.Runtime, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await docker.WaitForExitAsync();
    }
}

/// <summary>A fact that needs a container engine that answers; skipped, saying so, where none does.</summary>
public sealed class ContainerFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Answers = new(ContainerPostgres.EngineAnswers);

    /// <summary>Whether the container engine answered (asked once per test run).</summary>
    public static bool EngineAnswers => Answers.Value;

    public ContainerFactAttribute()
    {
        if (!EngineAnswers)
        {
            Skip = $"No container engine answers ('{ContainerPostgres.Runtime} info' failed): start Docker or Podman to run the AppHost in container mode " +
                "(.ci/run starts dockerd for this layer, with offline stand-in images).";
        }
    }
}
