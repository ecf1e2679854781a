using System.Globalization;
using Npgsql;

namespace Notejam.DevTools.Postgres;

/// <summary>
/// PostgreSQL in a container for one run (of the tests): the AppHost's own rule, where a container engine answers, so
/// that a machine with the SDK and Docker alone gets a server without installing one. The image is the one the AppHost's
/// container mode takes from the same settings, as environment variables (<c>Postgres__ContainerRegistry</c>,
/// <c>Postgres__ContainerImage</c>, <c>Postgres__ContainerTag</c>; default <see cref="DefaultImage"/>); it must keep the
/// official image's <c>POSTGRES_PASSWORD</c> contract. Published on a free port of 127.0.0.1; removed when disposed.
/// </summary>
public sealed class ContainerPostgres : IDisposable
{
    public const string DefaultImage = "docker.io/library/postgres:17";

    /// <summary>The container runtime's command, chosen as Aspire chooses it (ASPIRE_CONTAINER_RUNTIME, else docker).</summary>
    public static readonly string Runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } runtime
        ? runtime
        : "docker";

    private readonly string _name;

    private ContainerPostgres(string name, string image, int port, string password)
    {
        (_name, Image, Port) = (name, image, port);
        ServerConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres";
    }

    public string Image { get; }

    public int Port { get; }

    /// <summary>The superuser's connection string to the database 'postgres'.</summary>
    public string ServerConnectionString { get; }

    /// <summary>The image to run: the AppHost's settings from the environment, each part defaulting to <see cref="DefaultImage"/>'s.</summary>
    public static string ConfiguredImage()
    {
        static string Setting(string name, string fallback) =>
            Environment.GetEnvironmentVariable($"Postgres__{name}") is { Length: > 0 } value ? value : fallback;
        return $"{Setting("ContainerRegistry", "docker.io")}/{Setting("ContainerImage", "library/postgres")}:{Setting("ContainerTag", "17")}";
    }

    /// <summary>Whether the container engine answers (<c>docker info</c> within 10 s).</summary>
    public static bool EngineAnswers()
    {
        try
        {
            var (exit, _) = RunAsync(["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();
            return exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such command
        }
    }

    /// <summary>Starts the container and waits (up to 90 s: a first start makes the cluster) until it accepts connections.</summary>
    public static async Task<ContainerPostgres> StartAsync(string? image = null, CancellationToken ct = default)
    {
        image ??= ConfiguredImage();
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var name = $"notejam-throwaway-postgres-{Guid.NewGuid():N}";
        var (run, output) = await RunAsync(["run", "-d", "--rm", "--name", name, "--label", "notejam.throwaway=postgres",
            "-e", $"POSTGRES_PASSWORD={password}", "-p", "127.0.0.1::5432", image, "-c", "max_connections=300"], TimeSpan.FromMinutes(5), ct);
        if (run != 0)
        {
            throw new InvalidOperationException($"{Runtime} run {image} failed: {output}");
        }

        var (_, published) = await RunAsync(["port", name, "5432/tcp"], TimeSpan.FromSeconds(30), ct);
        var port = int.Parse(published.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim().Split(':')[^1], CultureInfo.InvariantCulture);
        var server = new ContainerPostgres(name, image, port, password);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server.ServerConnectionString + ";Pooling=false;Timeout=3");
                await connection.OpenAsync(ct);
                return server;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    var (_, logs) = await RunAsync(["logs", "--tail", "30", name], TimeSpan.FromSeconds(10), ct);
                    server.Dispose();
                    throw new InvalidOperationException($"PostgreSQL in {image} did not accept connections within 90 s: {logs}", exception);
                }

                await Task.Delay(250, ct);
            }
        }
    }

    public void Dispose() => RunAsync(["rm", "-f", "-v", _name], TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();

    private static async Task<(int Exit, string Output)> RunAsync(string[] args, TimeSpan within, CancellationToken ct)
    {
        var (exit, output, errors) = await ThisMachine.RunAsync(Runtime, args, within, ct);
        return (exit, output + errors);
    }
}
