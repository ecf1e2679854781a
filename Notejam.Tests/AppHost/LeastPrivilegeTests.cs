using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

/// <summary>
/// Issue 14's first wall: the web holds no credential for the notes. What the AppHost gives the web process, resolved by
/// Aspire's own ExecutionConfigurationBuilder (the environment DCP starts it with), is tried against the notes database.
/// </summary>
[Trait(TestLayers.Name, TestLayers.AppHost)]
[Collection(AppHostTests.Name)]
public sealed class LeastPrivilegeTests(AppHostFixture topology)
{
    [Fact]
    public async Task The_web_is_started_with_its_own_database_and_no_credential_of_the_notes_database()
    {
        var web = await EnvironmentOfAsync("web");
        var notes = new NpgsqlConnectionStringBuilder(await topology.App.GetConnectionStringAsync("notejam"));

        Assert.DoesNotContain(web.Keys, key => key.StartsWith("ConnectionStrings__notejam", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(web.Values, value => value.Contains(notes.Password!, StringComparison.Ordinal));
        var own = new NpgsqlConnectionStringBuilder(web["ConnectionStrings__webkeyring"]);
        Assert.NotEqual(notes.Username, own.Username);
        Assert.NotEqual(notes.Database, own.Database);

        // The migrations, which make the web's role and database, are given both.
        var migrations = await EnvironmentOfAsync("migrations");
        Assert.Contains("ConnectionStrings__notejam", migrations.Keys);
        Assert.Contains("ConnectionStrings__webkeyring", migrations.Keys);
    }

    [Fact]
    public async Task The_webs_credentials_open_no_table_of_the_notes_database()
    {
        // Something to steal: a note through the site.
        using var http = topology.App.CreateHttpClient("web");
        using var user = await SiteUser.SignUpAndInAsync(new SiteBrowser(http.BaseAddress!));
        await user.CreateNoteAsync("Not the web's to read", "secret");

        var own = new NpgsqlConnectionStringBuilder((await EnvironmentOfAsync("web"))["ConnectionStrings__webkeyring"]) { Pooling = false };
        var notesDatabase = new NpgsqlConnectionStringBuilder(await topology.App.GetConnectionStringAsync("notejam")).Database!;

        // Its own ring: readable.
        await using (var ring = new NpgsqlConnection(own.ConnectionString))
        {
            await ring.OpenAsync();
            await using var keys = new NpgsqlCommand("SELECT count(*) FROM \"WebDataProtectionKeys\"", ring);
            Assert.True((long)(await keys.ExecuteScalarAsync())! > 0);
        }

        // The notes database with the web's role: every table refused.
        own.Database = notesDatabase;
        await using var stolen = new NpgsqlConnection(own.ConnectionString);
        await stolen.OpenAsync();
        foreach (var table in new[] { "Notes", "Pads", "AspNetUsers", "DataProtectionKeys" })
        {
            await using var read = new NpgsqlCommand($"SELECT * FROM \"{table}\" LIMIT 1", stolen);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => read.ExecuteScalarAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    private async Task<Dictionary<string, string>> EnvironmentOfAsync(string name)
    {
        var model = topology.App.Services.GetRequiredService<DistributedApplicationModel>();
        var resource = model.Resources.Single(r => r.Name == name);
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(topology.App.Services.GetRequiredService<DistributedApplicationExecutionContext>());
        return configuration.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);
    }
}
