using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Notejam.DevTools;
using Notejam.DevTools.Postgres;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;
using Npgsql;

namespace Notejam.Tests.Containers;

/// <summary>
/// The tests that build the images and run them: one at a time, alone (the images' start is timed), on one
/// <see cref="NotejamImages"/>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImagesRun : ICollectionFixture<NotejamImages>
{
    public const string Name = "The images, built and run";
}

/// <summary>
/// Both images built the way production builds them (the SDK's <c>dotnet publish /t:PublishContainer</c>, into the
/// engine), on the base the projects name (the published Ubuntu chiseled one) or on <c>NOTEJAM_CONTAINER_BASE</c> (a
/// mirror, or CI's offline stand-in), then run as the chart and Container Apps run them, on a network of this run's own:
/// PostgreSQL (the image the AppHost's container mode takes, <c>Postgres__Container*</c>), the one-shot migration, then
/// the api (published nowhere) and the web (published on 127.0.0.1, as an ingress would). Each Notejam container is
/// hardened: read-only root filesystem with a tmpfs at /tmp (the chart's emptyDir), every capability dropped,
/// no-new-privileges, 256 MiB, the image's own user. Containers through Testcontainers; what the Docker CLI is the
/// contract of (<c>docker stop</c>, <c>docker top</c>, image sizes) through the CLI. Everything is removed at the end,
/// the images too.
/// </summary>
public sealed class NotejamImages : IAsyncLifetime
{
    public const int MemoryLimit = 256 * 1024 * 1024;

    // Testcontainers 4.17's Docker client speaks the engine API 1.44 unless DOCKER_API_VERSION says otherwise; Debian
    // 12's docker.io (20.10) answers 1.41 at most and refuses newer clients ("client version 1.44 is too new").
    private const string NewestApiTheClientSpeaks = "1.44";

    private readonly string _tag = $"test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    private readonly List<IContainer> _containers = [];
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private INetwork? _network;

    /// <summary>The base the images were built on: NOTEJAM_CONTAINER_BASE, else the projects' own ContainerBaseImage.</summary>
    public string Base { get; private set; } = "";

    public string ApiImage => $"notejam-api:{_tag}";

    public string WebImage => $"notejam-web:{_tag}";

    public string PostgresImage { get; } = ContainerPostgres.ConfiguredImage();

    public string NetworkName => _network!.Name;

    public string Subnet { get; private set; } = "";

    public string ApiContainer => $"notejam-api-{_tag}";

    public string WebContainer => $"notejam-web-{_tag}";

    /// <summary>The site, as an ingress would publish it.</summary>
    public Uri Web { get; private set; } = null!;

    /// <summary>The notes database, published on 127.0.0.1 for the tests to look their writes up.</summary>
    public string NotesHere { get; private set; } = "";

    /// <summary>From each container's start (the engine's StartedAt) to its /health's first answer, and to Healthy.</summary>
    public (TimeSpan Answered, TimeSpan Healthy) ApiStart { get; private set; }

    public (TimeSpan Answered, TimeSpan Healthy) WebStart { get; private set; }

    /// <summary>The lines each check passed adds to CI's summary (and the test's output).</summary>
    public static void Report(Xunit.Abstractions.ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("NOTEJAM_TEST_RESULTS") is { Length: > 0 } results)
        {
            Directory.CreateDirectory(results);
            File.AppendAllLines(Path.Combine(results, "containers.txt"), [line]);
        }
    }

    public async Task InitializeAsync()
    {
        if (!ContainerFactAttribute.EngineAnswers)
        {
            return; // the tests are skipped, saying so (ContainerFact)
        }

        await SpeakTheEnginesApiAsync();
        TestcontainersSettings.ResourceReaperEnabled = false; // its image (Ryuk) is pulled from Docker Hub; this removes its own

        Base = Environment.GetEnvironmentVariable("NOTEJAM_CONTAINER_BASE") is { Length: > 0 } given ? given : ProjectsBase();
        foreach (var project in new[] { "Notejam.Api", "Notejam.Web" })
        {
            string[] publish =
            [
                "publish", Path.Combine(ManifestTests.RepositoryRoot(), project, $"{project}.csproj"), "-c", "Release",
                "/t:PublishContainer", "-nologo", "-v", "q", "-clp:ErrorsOnly", $"-p:ContainerImageTag={_tag}",
                $"-p:ContainerBaseImage={Base}",
            ];
            await ThisMachine.OutputOfAsync("dotnet", publish, TimeSpan.FromMinutes(10));
        }

        await DockerAsync("pull", "-q", Base); // for its size: the SDK read it from its registry, not through the engine

        _network = new NetworkBuilder().WithName($"notejam-{_tag}").Build();
        await _network.CreateAsync();
        Subnet = (await DockerAsync("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", NetworkName)).Trim();

        var postgres = await StartAsync(new ContainerBuilder(PostgresImage)
            .WithName($"notejam-postgres-{_tag}").WithNetwork(_network).WithNetworkAliases("postgres")
            .WithEnvironment("POSTGRES_PASSWORD", _password).WithEnvironment("POSTGRES_DB", "notejam")
            .WithPortBinding(ThisMachine.FreeLoopbackPort(), 5432).WithCreateParameterModifier(OnLoopbackOnly));
        NotesHere = $"Host=127.0.0.1;Port={postgres.GetMappedPublicPort(5432)};Database=notejam;Username=postgres;Password={_password}";
        await Eventually.WhenAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(NotesHere + ";Pooling=false;Timeout=3");
                await connection.OpenAsync();
                return true;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), () => $"PostgreSQL ({PostgresImage}) did not accept connections");

        var webPort = ThisMachine.FreeLoopbackPort();
        Web = new Uri($"http://127.0.0.1:{webPort}/");
        var notes = $"Host=postgres;Port=5432;Database=notejam;Username=postgres;Password={_password}";
        var keyRing = $"Host=postgres;Port=5432;Database=notejam_web;Username=notejam_web;Password=web-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";

        var migrate = await StartAsync(Hardened(ApiImage, $"notejam-migrate-{_tag}", webPort).WithCommand("migrate")
            .WithEnvironment("ConnectionStrings__notejam", notes).WithEnvironment("ConnectionStrings__webkeyring", keyRing));
        var exit = await migrate.GetExitCodeAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"migrate exited {exit}: {await LogsAsync(migrate)}");
        }

        await StartAsync(Hardened(ApiImage, ApiContainer, webPort).WithNetworkAliases("api")
            .WithEnvironment("ConnectionStrings__notejam", notes)
            .WithEnvironment("DataProtection__KeyEncryptionKey", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))));
        ApiStart = await HealthAfterStartAsync(ApiContainer, await ApiAsync());

        await StartAsync(Hardened(WebImage, WebContainer, webPort).WithPortBinding(webPort, 8080)
            .WithEnvironment("ConnectionStrings__webkeyring", keyRing)
            .WithEnvironment("DataProtection__KeyEncryptionKey", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))));
        WebStart = await HealthAfterStartAsync(WebContainer, Web);
    }

    public async Task DisposeAsync()
    {
        foreach (var container in Enumerable.Reverse(_containers))
        {
            await container.DisposeAsync();
        }

        if (_network is not null)
        {
            await _network.DisposeAsync();
            await DockerAsync("image", "rm", "-f", ApiImage, WebImage);
        }
    }

    /// <summary>The api, from here by its address on the run's network (it is published nowhere); asked anew, since a restart may move it.</summary>
    public async Task<Uri> ApiAsync() =>
        new($"http://{(await DockerAsync("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", ApiContainer)).Trim()}:8080/");

    /// <summary>Polls <paramref name="service"/>'s /health every 100 ms from the container's start, for 30 s.</summary>
    public static async Task<(TimeSpan Answered, TimeSpan Healthy)> HealthAfterStartAsync(string container, Uri service)
    {
        var startedAt = DateTimeOffset.Parse((await DockerAsync("inspect", "-f", "{{.State.StartedAt}}", container)).Trim(), CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        TimeSpan? answered = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var health = await http.GetAsync(new Uri(service, "/health"));
                answered ??= DateTimeOffset.UtcNow - startedAt;
                if (health.StatusCode == HttpStatusCode.OK && await health.Content.ReadAsStringAsync() == "Healthy")
                {
                    return (answered.Value, DateTimeOffset.UtcNow - startedAt);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{container} was not healthy within 30 s: {await DockerAsync("logs", "--tail", "30", container)}");
    }

    /// <summary>Runs the Docker CLI; its standard output, or an exception with what it said.</summary>
    public static Task<string> DockerAsync(params string[] args) => ThisMachine.OutputOfAsync(ContainerPostgres.Runtime, args, TimeSpan.FromMinutes(3));

    private ContainerBuilder Hardened(string image, string name, int webPort) => new ContainerBuilder(image)
        .WithName(name).WithNetwork(_network!)
        .WithEnvironment("Notejam__ApiUrl", "http://api:8080/")
        .WithEnvironment("Notejam__WebUrl", $"http://127.0.0.1:{webPort}/")
        // Each believes X-Forwarded-For from the run's network alone: the web from the published port's gateway (the
        // load's people come with addresses of their own, as through an ingress), the api from the web.
        .WithEnvironment("Notejam__TrustedProxyNetworks", Subnet)
        .WithCreateParameterModifier(parameters =>
        {
            var host = parameters.HostConfig ??= new();
            host.ReadonlyRootfs = true;
            host.Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,size=64m" };
            host.CapDrop = ["ALL"];
            host.SecurityOpt = ["no-new-privileges"];
            host.Memory = MemoryLimit;
            OnLoopbackOnly(parameters);
        });

    private static void OnLoopbackOnly(Docker.DotNet.Models.CreateContainerParameters parameters)
    {
        foreach (var binding in parameters.HostConfig?.PortBindings?.Values.SelectMany(b => b) ?? [])
        {
            binding.HostIP = "127.0.0.1";
        }
    }

    private async Task<IContainer> StartAsync(ContainerBuilder builder)
    {
        var container = builder.Build();
        _containers.Add(container);
        await container.StartAsync();
        return container;
    }

    private static async Task<string> LogsAsync(IContainer container)
    {
        var (stdout, stderr) = await container.GetLogsAsync();
        return string.Join('\n', (stdout + stderr).Split('\n').TakeLast(30));
    }

    // The base the projects name for production (Notejam.Web.csproj's ContainerBaseImage; the api's is the same).
    private static string ProjectsBase() =>
        XDocument.Load(Path.Combine(ManifestTests.RepositoryRoot(), "Notejam.Web", "Notejam.Web.csproj"))
            .Descendants("ContainerBaseImage").Single().Value;

    private static async Task SpeakTheEnginesApiAsync()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is { Length: > 0 })
        {
            return;
        }

        var engine = (await DockerAsync("version", "-f", "{{.Server.APIVersion}}")).Trim();
        if (Version.Parse(engine) < Version.Parse(NewestApiTheClientSpeaks))
        {
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", engine);
        }
    }
}
