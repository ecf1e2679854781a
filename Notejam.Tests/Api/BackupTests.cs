using System.Diagnostics;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;
using Npgsql;

namespace Notejam.Tests.Api;

/// <summary>deploy/backup: a dump of a database in use restores into a fresh one with every row.</summary>
[Collection(ApiTests.Name)]
public sealed class BackupTests(ApiFactory api)
{
    [Fact]
    public async Task A_backup_restores_into_a_fresh_database_with_the_same_rows()
    {
        using var user = await ApiUser.CreateAsync(api);
        var pad = await user.CreatePadAsync("Backed up");
        await user.CreateNoteAsync("Kept", "Across a restore", pad.GetProperty("id").GetInt32());
        var postgres = await TestPostgres.Shared;
        var restored = await postgres.CreateDatabaseAsync();
        var dump = Path.Combine(Path.GetTempPath(), $"notejam-{Guid.NewGuid():N}.dump");
        try
        {
            await RunAsync("backup.sh", Uri(api.ConnectionString), dump);
            await RunAsync("restore.sh", dump, Uri(restored));

            var before = await RowCountsAsync(api.ConnectionString);
            var after = await RowCountsAsync(restored);
            Assert.Contains("Notes", before.Keys);
            Assert.True(before["Notes"] > 0);
            Assert.Equal(before, after);
            var refused = await RunAsync("restore.sh", dump, Uri(restored), expectSuccess: false);
            Assert.Contains("not empty", refused, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(dump);
            await postgres.DropDatabaseAsync(restored);
        }
    }

    private static string Uri(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{System.Uri.EscapeDataString(c.Username!)}:{System.Uri.EscapeDataString(c.Password!)}@{c.Host}:{c.Port}/{c.Database}";
    }

    private static async Task<SortedDictionary<string, long>> RowCountsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }

        return counts;
    }

    private static async Task<string> RunAsync(string script, string first, string second, bool expectSuccess = true)
    {
        var path = Path.Combine(ManifestTests.RepositoryRoot(), "deploy", "backup", script);
        using var process = Process.Start(new ProcessStartInfo("bash", [path, first, second])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var all = await output + await errors;
        Assert.True((process.ExitCode == 0) == expectSuccess, $"{script} exited {process.ExitCode}: {all}");
        return all;
    }
}
