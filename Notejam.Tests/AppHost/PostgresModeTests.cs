using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Notejam.AppHost;

namespace Notejam.Tests.AppHost;

/// <summary>How the AppHost chooses where PostgreSQL comes from (no resource is started here).</summary>
public sealed class PostgresModeTests
{
    private const string NoRuntime = "--ASPIRE_CONTAINER_RUNTIME=no-such-container-runtime";

    [Fact]
    public void A_configured_connection_string_wins_in_auto_mode()
    {
        var builder = DistributedApplication.CreateBuilder(["--ConnectionStrings:notejam=Host=db.example;Database=notejam"]);

        Assert.Equal(PostgresMode.ConnectionString, PostgresExtensions.ChooseMode(builder, "notejam"));
    }

    [Fact]
    public void Without_a_container_runtime_the_installed_server_is_used()
    {
        var bin = Directory.CreateTempSubdirectory("notejam-bin-");
        File.WriteAllText(Path.Combine(bin.FullName, "postgres"), "");
        File.WriteAllText(Path.Combine(bin.FullName, "initdb"), "");
        var builder = DistributedApplication.CreateBuilder([NoRuntime, $"--Postgres:BinDirectory={bin.FullName}"]);

        var mode = PostgresExtensions.ChooseMode(builder, "notejam");

        bin.Delete(recursive: true);
        Assert.Equal(PostgresMode.Local, mode);
    }

    [Fact]
    public void With_nothing_available_the_message_says_what_to_install()
    {
        var builder = DistributedApplication.CreateBuilder([NoRuntime, "--Postgres:BinDirectory=/no/such/postgresql"]);

        var error = Assert.Throws<DistributedApplicationException>(() => PostgresExtensions.ChooseMode(builder, "notejam"));

        Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("Docker or Podman", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:notejam", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("container", PostgresMode.Container)]
    [InlineData("Local", PostgresMode.Local)]
    [InlineData("ConnectionString", PostgresMode.ConnectionString)]
    public void A_configured_mode_is_taken_as_it_is(string configured, PostgresMode expected)
    {
        var builder = DistributedApplication.CreateBuilder([$"--Postgres:Mode={configured}"]);

        Assert.Equal(expected, PostgresExtensions.ChooseMode(builder, "notejam"));
    }

    [Fact]
    public void An_unknown_mode_is_refused_with_the_known_ones()
    {
        var builder = DistributedApplication.CreateBuilder(["--Postgres:Mode=Cloud"]);

        var error = Assert.Throws<DistributedApplicationException>(() => PostgresExtensions.ChooseMode(builder, "notejam"));

        Assert.Contains("Container, Local, ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mirror_gives_the_containers_image_and_the_volume_by_settings_and_keeps_the_version()
    {
        var published = DistributedApplication.CreateBuilder(["--Postgres:Mode=Container"]);
        published.AddNotejamDatabases("notejam", "webkeyring");
        var mirrored = DistributedApplication.CreateBuilder(["--Postgres:Mode=Container", "--Postgres:ContainerRegistry=mirror.example.com",
            "--Postgres:ContainerImage=team/postgres", "--Postgres:DataVolume=notejam-data"]);
        mirrored.AddNotejamDatabases("notejam", "webkeyring");

        var before = Image(published);
        var after = Image(mirrored);

        Assert.Equal(("mirror.example.com", "team/postgres"), (after.Registry, after.Image));
        Assert.Equal(before.Tag, after.Tag); // not "latest"
        Assert.Contains(Postgres(mirrored).Annotations.OfType<ContainerMountAnnotation>(),
            mount => mount.Source == "notejam-data" && mount.Type == ContainerMountType.Volume);
        Assert.Equal("postgres-password", Postgres(mirrored).PasswordParameter.Name);
    }

    [Fact]
    public void A_tag_alone_changes_only_the_tag()
    {
        var builder = DistributedApplication.CreateBuilder(["--Postgres:Mode=Container", "--Postgres:ContainerTag=15"]);
        builder.AddNotejamDatabases("notejam", "webkeyring");

        Assert.Equal("15", Image(builder).Tag);
        Assert.Equal("library/postgres", Image(builder).Image);
    }

    [Theory]
    [InlineData(null, "/var/lib/postgresql")] // Aspire's own image, 18.x: the layout of PostgreSQL 18's images
    [InlineData("17.6", "/var/lib/postgresql/data")]
    [InlineData("15", "/var/lib/postgresql/data")] // the offline stand-in's
    public void The_data_volume_is_mounted_where_the_configured_version_keeps_its_data(string? tag, string target)
    {
        var builder = DistributedApplication.CreateBuilder(
            ["--Postgres:Mode=Container", .. tag is null ? Array.Empty<string>() : [$"--Postgres:ContainerTag={tag}"]]);
        builder.AddNotejamDatabases("notejam", "webkeyring");

        var volume = Assert.Single(Postgres(builder).Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume);
        Assert.Equal(target, volume.Target);
    }

    private static PostgresServerResource Postgres(IDistributedApplicationBuilder builder) =>
        builder.Resources.OfType<PostgresServerResource>().Single();

    private static ContainerImageAnnotation Image(IDistributedApplicationBuilder builder) =>
        Postgres(builder).Annotations.OfType<ContainerImageAnnotation>().Single();
}
