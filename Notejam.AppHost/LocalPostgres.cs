using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Notejam.DevTools.Postgres;
using Npgsql;

namespace Notejam.AppHost;

/// <summary>The machine's own PostgreSQL server, run by the AppHost as an executable (no container runtime needed).</summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={PasswordParameter}");
}

/// <summary>A database on <see cref="LocalPostgresServerResource"/>.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

[SupportedOSPlatform("linux")]
[SupportedOSPlatform("macos")]
internal static class LocalPostgres
{
    [SupportedOSPlatformGuard("linux")]
    [SupportedOSPlatformGuard("macos")]
    public static bool IsSupported => PostgresServer.IsSupported;

    private const string DataDirectoryKey = "Postgres:DataDirectory";
    private const string BinDirectoryKey = "Postgres:BinDirectory";

    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var bin = FindBinDirectory(builder.Configuration)
            ?? throw new DistributedApplicationException(PostgresServer.NotInstalled);
        var root = DataRoot(builder);
        var dataDirectory = Path.Combine(root, "data");
        var password = builder.AddParameter($"{name}-password", () => ReadOrCreatePassword(root), secret: true);

        var (command, args) = PostgresServer.ServerCommand(bin, dataDirectory);
        var server = new LocalPostgresServerResource(name, command, root, password.Resource);

        string? connectionString = null;
        var healthCheck = $"{name}_accepts_connections";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("PostgreSQL has no connection string yet."),
            name: healthCheck);

        return builder.AddResource(server)
            .WithArgs(args)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", env: "PGPORT")
            .WithHealthCheck(healthCheck)
            .OnConnectionStringAvailable(async (resource, _, ct) =>
                connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct))
            .OnBeforeResourceStarted((resource, _, ct) => InitializeAsync(bin, root, dataDirectory, resource, ct))
            .ExcludeFromManifest();
    }

    /// <summary>Adds a database that is created once the server accepts connections, as Aspire's container integration does.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);

        string? connectionString = null;
        var healthCheck = $"{name}_accepts_connections";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("The database is not created yet."),
            name: healthCheck);

        server.OnResourceReady(async (_, ready, ct) =>
        {
            await CreateDatabaseIfMissingAsync(database, ct);
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct);
            await ready.Services.GetRequiredService<ResourceNotificationService>()
                .PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running });
        });

        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithParentRelationship(server)
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    private static async Task CreateDatabaseIfMissingAsync(LocalPostgresDatabaseResource database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await database.Parent.ConnectionStringExpression.GetValueAsync(ct));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database.DatabaseName } },
        };
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            var quoted = "\"" + database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The server of <c>Postgres:BinDirectory</c>, else the machine's newest (see <see cref="PostgresServer.FindBinDirectory"/>).</summary>
    public static string? FindBinDirectory(IConfiguration configuration) => PostgresServer.FindBinDirectory(configuration[BinDirectoryKey]);

    /// <summary>
    /// One data folder per clone of the repository, so that two checkouts never share a database.
    /// As root it lives under /var/lib, where the postgres user can reach it (a clone under /root cannot be).
    /// </summary>
    private static string DataRoot(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[DataDirectoryKey];
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        var clone = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.AppHostDirectory)))[..12];
        var parent = PostgresServer.RunsAsRoot
            ? "/var/lib/notejam"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "notejam");
        return Path.Combine(parent, $"postgres-{clone}");
    }

    private static string ReadOrCreatePassword(string root)
    {
        var file = Path.Combine(root, "password");
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        Directory.CreateDirectory(root);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(file, password);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }

    private static async Task InitializeAsync(string bin, string root, string dataDirectory, LocalPostgresServerResource server, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await PostgresServer.InitDbAsync(bin, root, dataDirectory, await server.PasswordParameter.GetValueAsync(ct) ?? "", ct);
        }
    }
}
