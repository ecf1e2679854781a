using Aspire.Hosting;
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
}
