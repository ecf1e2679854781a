using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Npgsql;

namespace Notejam.DevTools.Postgres;

/// <summary>
/// A cluster of the machine's PostgreSQL made for one run (of the tests, of a benchmark) in a temporary folder, on a
/// free port of 127.0.0.1, and deleted when it stops. Its superuser is 'postgres' with a random password.
/// </summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("macos")]
public sealed class ThrowawayPostgres : IDisposable
{
    private const string TempPrefix = "notejam-postgres-";

    private readonly Process _server;
    private readonly string _root;

    private ThrowawayPostgres(Process server, string root, int port, string password)
    {
        (_server, _root, Port, Password) = (server, root, port, password);
        ServerConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres";
    }

    public int Port { get; }

    /// <summary>The server's process (the postmaster; each connection's backend is a child of it).</summary>
    public int ServerProcessId => _server.Id;

    public string Password { get; }

    /// <summary>The superuser's connection string to the database 'postgres'.</summary>
    public string ServerConnectionString { get; }

    /// <summary>
    /// Makes and starts the cluster and waits (up to 30 s) until it accepts connections. <paramref name="settings"/> are
    /// server settings (name=value, e.g. max_connections=200). Clusters that earlier runs left stopped are removed.
    /// </summary>
    public static async Task<ThrowawayPostgres> StartAsync(int port = 0, IEnumerable<string>? settings = null, CancellationToken ct = default)
    {
        var bin = PostgresServer.FindBinDirectory() ?? throw new InvalidOperationException(PostgresServer.NotInstalled);
        RemoveStoppedClusters();
        var root = Directory.CreateTempSubdirectory(TempPrefix).FullName;
        var data = Path.Combine(root, "data");
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await PostgresServer.InitDbAsync(bin, root, data, password, ct);

        port = port == 0 ? ThisMachine.FreeLoopbackPort() : port;
        var (command, args) = PostgresServer.ServerCommand(bin, data, settings ?? []);
        var start = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPORT"] = port.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("PostgreSQL did not start.");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(log, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ThrowawayPostgres(process, root, port, password);

        var probe = server.ServerConnectionString + ";Pooling=false";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct);
                return server;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100, ct);
            }
            catch (NpgsqlException exception)
            {
                server.Dispose();
                throw new InvalidOperationException($"PostgreSQL did not accept connections: {string.Join('\n', log)}", exception);
            }
        }
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> log, string? line)
    {
        if (line is not null && log.Count < 200)
        {
            log.Enqueue(line);
        }
    }

    /// <summary>Stops the server (SIGINT, PostgreSQL's fast shutdown: clients are disconnected) and deletes the cluster.</summary>
    public void Dispose()
    {
        if (!_server.HasExited)
        {
            using (var kill = Process.Start("kill", ["-INT", _server.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!_server.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _server.Kill(entireProcessTree: true);
            }
        }

        _server.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    // A run may be ended before it could delete its cluster: a stopped one has no postmaster.pid.
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
}
