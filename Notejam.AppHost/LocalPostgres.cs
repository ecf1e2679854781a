using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
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
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    private const string DataDirectoryKey = "Postgres:DataDirectory";
    private const string BinDirectoryKey = "Postgres:BinDirectory";

    // PostgreSQL refuses to run as root; as root we run it as the 'postgres' system user.
    private static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var bin = FindBinDirectory(builder.Configuration)
            ?? throw new DistributedApplicationException("The PostgreSQL server is not installed (Debian/Ubuntu: sudo apt-get install -y postgresql).");
        var root = DataRoot(builder);
        var dataDirectory = Path.Combine(root, "data");
        var password = builder.AddParameter($"{name}-password", () => ReadOrCreatePassword(root), secret: true);

        var (command, args) = ServerCommand(bin, dataDirectory);
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

    /// <summary>The newest server under /usr/lib/postgresql (Debian, Ubuntu), else the one on PATH, else null.</summary>
    public static string? FindBinDirectory(IConfiguration configuration)
    {
        var configured = configuration[BinDirectoryKey];
        if (!string.IsNullOrEmpty(configured))
        {
            return HasServer(configured) ? configured : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => HasServer(d.Dir))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServer);
    }

    private static bool HasServer(string dir) =>
        File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb"));

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
        var parent = RunsAsRoot
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
            await InitDbAsync(bin, root, dataDirectory, await server.PasswordParameter.GetValueAsync(ct) ?? "", ct);
        }
    }

    /// <summary>Creates a cluster in <paramref name="dataDirectory"/> whose superuser 'postgres' has <paramref name="password"/>.</summary>
    internal static async Task InitDbAsync(string bin, string root, string dataDirectory, string password, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(root, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, password, ct);
        try
        {
            if (RunsAsRoot)
            {
                File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
                await RunAsync("chown", ["postgres:postgres", dataDirectory, passwordFile], ct);
            }

            var (command, args) = AsPostgresUser(Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                 "--encoding=UTF8", "--locale=C.UTF-8"]);
            await RunAsync(command, args, ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>The command that runs the server on 127.0.0.1 only, at the port in PGPORT.</summary>
    internal static (string Command, string[] Args) ServerCommand(string bin, string dataDirectory) =>
        AsPostgresUser(Path.Combine(bin, "postgres"),
            ["-D", dataDirectory, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]);

    private static (string Command, string[] Args) AsPostgresUser(string program, string[] args) => RunsAsRoot
        ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args])
        : (program, args);

    private static async Task RunAsync(string command, string[] args, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new DistributedApplicationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException(
                $"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
