using Microsoft.Extensions.Configuration;

namespace Notejam.AppHost;

/// <summary>Where the Notejam database comes from: a container, the machine's own PostgreSQL, or a connection string.</summary>
public enum PostgresMode
{
    Auto,
    Container,
    Local,
    ConnectionString,
}

internal static class PostgresExtensions
{
    public const string ModeKey = "Postgres:Mode";

    /// <summary>
    /// Adds the database the API reads as <c>ConnectionStrings:{name}</c>, from the source that
    /// <c>Postgres:Mode</c> names, or the first that can work here when it is <c>Auto</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddNotejamDatabase(
        this IDistributedApplicationBuilder builder, string name)
    {
        return ChooseMode(builder, name) switch
        {
            PostgresMode.Container => builder.AddPostgres("postgres")
                .WithDataVolume()
                .AddDatabase(name),
            PostgresMode.Local when LocalPostgres.IsSupported => builder.AddLocalPostgres("postgres")
                .AddDatabase(name),
            PostgresMode.Local => throw new DistributedApplicationException(
                "Postgres:Mode=Local runs PostgreSQL on Linux and macOS; on Windows use a container or a connection string."),
            _ => builder.AddConnectionString(name),
        };
    }

    internal static PostgresMode ChooseMode(IDistributedApplicationBuilder builder, string name)
    {
        var configured = builder.Configuration[ModeKey];
        var mode = PostgresMode.Auto;
        if (!string.IsNullOrEmpty(configured) && !Enum.TryParse(configured, ignoreCase: true, out mode))
        {
            throw new DistributedApplicationException(
                $"{ModeKey} is '{configured}'; use one of {string.Join(", ", Enum.GetNames<PostgresMode>())}.");
        }

        if (mode != PostgresMode.Auto)
        {
            return mode;
        }

        // A deployment fills the connection string from its own managed database (see infra/).
        if (builder.ExecutionContext.IsPublishMode || !string.IsNullOrEmpty(builder.Configuration.GetConnectionString(name)))
        {
            return PostgresMode.ConnectionString;
        }

        if (ContainerRuntime.IsHealthy(builder))
        {
            return PostgresMode.Container;
        }

        if (LocalPostgres.IsSupported && LocalPostgres.FindBinDirectory(builder.Configuration) is not null)
        {
            return PostgresMode.Local;
        }

        throw new DistributedApplicationException(
            "Notejam needs PostgreSQL and none can be started here. Do one of: start Docker or Podman; " +
            "install the PostgreSQL server (Debian/Ubuntu: sudo apt-get install -y postgresql; macOS: brew install postgresql); " +
            $"or set ConnectionStrings:{name} to an existing server's database.");
    }
}
