using Notejam.DevTools.Postgres;
using Npgsql;

namespace Notejam.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the functional tests use, chosen by the AppHost's own Auto rule (PostgresExtensions.ChooseMode):
/// NOTEJAM_TEST_POSTGRES when set (a server connection string); else, where a container engine answers, a throwaway
/// container (<see cref="ContainerPostgres"/>, the image of the AppHost's Postgres:Container* settings); else a
/// throwaway cluster of the machine's PostgreSQL. Started once per test run; each test host gets a database of its own,
/// dropped when it is done.
/// </summary>
public sealed class TestPostgres
{
    private static readonly Lazy<Task<TestPostgres>> SharedServer = new(StartAsync);

    private TestPostgres(string serverConnectionString, string source) => (ServerConnectionString, Source) = (serverConnectionString, source);

    public static Task<TestPostgres> Shared => SharedServer.Value;

    /// <summary>Where the server came from: "NOTEJAM_TEST_POSTGRES", "container IMAGE", or "the machine's PostgreSQL".</summary>
    public string Source { get; }

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
            return new TestPostgres(configured, "NOTEJAM_TEST_POSTGRES");
        }

        if (ContainerPostgres.EngineAnswers())
        {
            var container = await ContainerPostgres.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.Dispose();
            return new TestPostgres(container.ServerConnectionString, $"container {container.Image}");
        }

        if (!PostgresServer.IsSupported || PostgresServer.FindBinDirectory() is null)
        {
            throw new InvalidOperationException(
                "The tests need PostgreSQL: start Docker or Podman (a throwaway container is used), install the server " +
                "(sudo apt-get install -y postgresql), or set NOTEJAM_TEST_POSTGRES to a server's connection string.");
        }

        var server = await ThrowawayPostgres.StartAsync();
        // Through the interface: the platform guard above does not reach into a lambda (CA1416).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ((IDisposable)server).Dispose();
        return new TestPostgres(server.ServerConnectionString, "the machine's PostgreSQL");
    }
}
