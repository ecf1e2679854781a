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

    /// <summary>The container's data volume, by name (default: Aspire's, one per AppHost project).</summary>
    public const string DataVolumeKey = "Postgres:DataVolume";

    /// <summary>
    /// Adds the database the API reads as <c>ConnectionStrings:{notes}</c>, from the source that <c>Postgres:Mode</c>
    /// names, or the first that can work here when it is <c>Auto</c>; and, on the same server, the web's own database
    /// for its key ring (<c>ConnectionStrings:{webKeyRing}</c>: its own role, made by the migrations).
    /// </summary>
    public static NotejamDatabases AddNotejamDatabases(this IDistributedApplicationBuilder builder, string notes, string webKeyRing)
    {
        switch (ChooseMode(builder, notes))
        {
            case PostgresMode.Container:
                // The password a parameter of its own (generated once, kept in user secrets), so that the data volume,
                // made with it on the first start, opens on every later one.
                var password = builder.AddParameter("postgres-password", new GenerateParameterDefault { MinLength = 32, Special = false },
                    secret: true, persist: true);
                // The image before the volume: Aspire mounts the volume where the image's major version keeps its data
                // (/var/lib/postgresql from 18, /var/lib/postgresql/data before), read from the tag at this call. The
                // other way round, a configured 15 wrote into an anonymous volume and a restart found an empty server.
                var container = builder.AddPostgres("postgres", password: password)
                    .WithImageFrom(builder.Configuration, "Postgres")
                    .WithDataVolume(builder.Configuration[DataVolumeKey] is { Length: > 0 } volume ? volume : null);
                return new(container.AddDatabase(notes), builder.AddWebKeyRingDatabase(webKeyRing, container, container.Resource.PrimaryEndpoint));
            case PostgresMode.Local when LocalPostgres.IsSupported:
                var local = builder.AddLocalPostgres("postgres");
                return new(local.AddDatabase(notes), builder.AddWebKeyRingDatabase(webKeyRing, local, local.Resource.PrimaryEndpoint));
            case PostgresMode.Local:
                throw new DistributedApplicationException(
                    "Postgres:Mode=Local runs PostgreSQL on Linux and macOS; on Windows use a container or a connection string.");
            default:
                return new(builder.AddConnectionString(notes), builder.AddConnectionString(webKeyRing));
        }
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddWebKeyRingDatabase<TServer>(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<TServer> server, EndpointReference endpoint)
        where TServer : IResource
    {
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
        var database = new WebKeyRingDatabaseResource(name, endpoint, password.Resource);
        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = new ResourceStateSnapshot("Made by migrations", KnownResourceStateStyles.Info),
                Properties = [],
            })
            .WithParentRelationship(server.Resource)
            .ExcludeFromManifest();
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

/// <summary>The notes database (the api's) and the web's own key-ring database.</summary>
public sealed record NotejamDatabases(
    IResourceBuilder<IResourceWithConnectionString> Notes,
    IResourceBuilder<IResourceWithConnectionString> WebKeyRing);

/// <summary>
/// The web's own database on the development server: the web's role and password, which the migrations make into a
/// login role owning this database (Notejam.Api/Data/WebKeyRingDatabase.cs). Never the server's administrator.
/// </summary>
public sealed class WebKeyRingDatabaseResource(string name, EndpointReference endpoint, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    public const string Role = "notejam_web";

    public const string Database = "notejam_web";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={Role};Password={password};Database={Database}");
}
