using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Notejam.AppHost;
using Npgsql;

namespace Notejam.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the functional tests use: NOTEJAM_TEST_POSTGRES when set (a server connection
/// string), otherwise a throwaway cluster of the machine's PostgreSQL, started once per test run.
/// Each test host gets a database of its own, dropped when it is done.
/// </summary>
public sealed class TestPostgres
{
    private const string TempPrefix = "notejam-tests-";

    private static readonly Lazy<Task<TestPostgres>> SharedServer = new(StartAsync);

    private TestPostgres(string serverConnectionString) => ServerConnectionString = serverConnectionString;

    public static Task<TestPostgres> Shared => SharedServer.Value;

    public string ServerConnectionString { get; }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"notejam_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>Drops what `migrate` made for the web beside <paramref name="webConnectionString"/>: its database and its role.</summary>
    public async Task DropWebKeyRingAsync(string webConnectionString)
    {
        await DropDatabaseAsync(webConnectionString);
        var role = new NpgsqlConnectionStringBuilder(webConnectionString).Username;
        await ExecuteAsync($"DROP ROLE IF EXISTS {role}");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<TestPostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("NOTEJAM_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            return new TestPostgres(configured);
        }

        if (!LocalPostgres.IsSupported || LocalPostgres.FindBinDirectory(new ConfigurationBuilder().Build()) is not { } bin)
        {
            throw new InvalidOperationException(
                "The tests need PostgreSQL: install the server (sudo apt-get install -y postgresql) or set NOTEJAM_TEST_POSTGRES to a server's connection string.");
        }

        RemoveStoppedClusters();
        var root = Directory.CreateTempSubdirectory(TempPrefix).FullName;
        var data = Path.Combine(root, "data");
        var password = Guid.NewGuid().ToString("N");
        await LocalPostgres.InitDbAsync(bin, root, data, password, CancellationToken.None);

        var port = FreePort();
        var (command, args) = LocalPostgres.ServerCommand(bin, data);
        var start = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var server = Process.Start(start) ?? throw new InvalidOperationException("PostgreSQL did not start.");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(server, root);

        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres;Pooling=false";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                return new TestPostgres(connectionString.Replace(";Pooling=false", "", StringComparison.Ordinal));
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    // The test host may be ended before its exit handler has deleted a cluster: a stopped one has no postmaster.pid.
    private static void RemoveStoppedClusters()
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), TempPrefix + "*"))
        {
            if (!File.Exists(Path.Combine(stale, "data", "postmaster.pid")) &&
                Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddMinutes(-1))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
    }

    // SIGINT is PostgreSQL's fast shutdown: it disconnects clients and stops cleanly.
    private static void Stop(Process server, string root)
    {
        if (!server.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!server.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                server.Kill(entireProcessTree: true);
            }
        }

        Directory.Delete(root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
