using System.Diagnostics;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;
using Notejam.Tests.ServiceDefaults;
using Npgsql;

namespace Notejam.Tests.Deploy;

/// <summary>
/// On Container Apps every new api replica runs `migrate` in its init container (Notejam.AppHost/infra/api.tmpl.yaml), so
/// replicas that start together migrate together. EF Core takes a database-wide lock while it migrates (EF Core 9's
/// IHistoryRepository.AcquireDatabaseLockAsync; Npgsql's implementation locks the history table IN ACCESS EXCLUSIVE MODE):
/// here against a real PostgreSQL, with the built api, as the init containers run it.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Deploy)]
public sealed class MigrationAtStartTests
{
    [Fact]
    public async Task Replicas_starting_together_on_an_empty_database_apply_each_migration_once_and_all_start()
    {
        var postgres = await TestPostgres.Shared;
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => MigrateAsync(database)));
            foreach (var (exitCode, log) in runs)
            {
                Assert.True(exitCode == 0, $"A replica's migration failed:\n{log}");
            }

            var expected = typeof(NotejamDb).Assembly.GetTypes()
                .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id).OfType<string>().Order().ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await AppliedAsync(database));

            // A replica started later (scale-out, a restart) finds nothing to do and starts.
            var (laterExit, laterLog) = await MigrateAsync(database);
            Assert.True(laterExit == 0, laterLog);
            Assert.Equal(expected, await AppliedAsync(database));
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    private static async Task<List<string>> AppliedAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY 1""", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var applied = new List<string>();
        while (await reader.ReadAsync())
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    /// <summary>The init container: the api image's entry point with the argument `migrate`, the connection string only.</summary>
    private static async Task<(int ExitCode, string Log)> MigrateAsync(string database)
    {
        var start = BuiltApi.StartInfo(database, "migrate");
        start.Environment["OTEL_SERVICE_NAME"] = "migrations";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
