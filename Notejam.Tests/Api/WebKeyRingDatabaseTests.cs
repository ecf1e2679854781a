using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Api;

/// <summary>
/// What `migrate` makes for the web (WebKeyRingDatabase): a login role and a database of its own, a table owned by that
/// role, nobody else let in, and an earlier version's ring carried over from the notes database. Tried against
/// PostgreSQL's own rules: its privilege and authentication errors (42501, 28P01), not this project's reading of them.
/// </summary>
public sealed class WebKeyRingDatabaseTests : IAsyncLifetime
{
    private TestPostgres _postgres = null!;
    private string _notes = "";
    private string _web = "";

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.Shared;
        _notes = await _postgres.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(_notes).Database;
        _web = WebString(name!, "first-password-0123456789");
    }

    public async Task DisposeAsync()
    {
        await _postgres.DropWebKeyRingAsync(_web);
        await _postgres.DropDatabaseAsync(_notes);
    }

    [Fact]
    public async Task The_move_copies_an_earlier_versions_web_key_ring_out_of_the_notes_database_once()
    {
        // The notes database as the version before this one left it: the web's ring a table of it.
        await using (var earlier = NotesDb())
        {
            await earlier.Database.MigrateAsync();
        }

        await ExecuteAsync(_notes, """INSERT INTO "WebDataProtectionKeys" ("FriendlyName", "Xml") VALUES ('key-a', '<key id="a"/>'), ('key-b', '<key id="b"/>')""");

        // Twice, as every rollout runs it: the keys are copied once.
        await WebKeyRingDatabase.ProvisionAsync(_notes, _web, NullLogger.Instance);
        await WebKeyRingDatabase.ProvisionAsync(_notes, _web, NullLogger.Instance);

        Assert.Equal(["<key id=\"a\"/>", "<key id=\"b\"/>"], await RowsAsync(_web, "SELECT \"Xml\" FROM \"WebDataProtectionKeys\" ORDER BY \"Id\""));
        // The old table is left as it was for the previous revision during the rollout (expand, then contract).
        Assert.Equal(["2"], await RowsAsync(_notes, "SELECT count(*) FROM \"WebDataProtectionKeys\""));
        Assert.Equal([WebRole], await RowsAsync(_web, "SELECT tableowner FROM pg_tables WHERE tablename = 'WebDataProtectionKeys'"));
    }

    [Fact]
    public async Task Nobody_but_the_webs_role_and_administrators_may_connect_to_its_database()
    {
        await WebKeyRingDatabase.ProvisionAsync(_notes, _web, NullLogger.Instance);
        var stranger = $"stranger_{Guid.NewGuid():N}";
        await ExecuteAsync(_notes, $"CREATE ROLE {stranger} LOGIN PASSWORD 'stranger-password'");
        try
        {
            var asStranger = new NpgsqlConnectionStringBuilder(_web) { Username = stranger, Password = "stranger-password" };
            await using var connection = new NpgsqlConnection(asStranger.ConnectionString);

            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        finally
        {
            await ExecuteAsync(_notes, $"DROP ROLE {stranger}");
        }
    }

    [Fact]
    public async Task A_later_run_gives_the_role_the_password_it_is_given_now()
    {
        await WebKeyRingDatabase.ProvisionAsync(_notes, _web, NullLogger.Instance);
        var rotated = new NpgsqlConnectionStringBuilder(_web) { Password = "second-password-0123456789" }.ConnectionString;

        await WebKeyRingDatabase.ProvisionAsync(_notes, rotated, NullLogger.Instance);

        Assert.Equal(["1"], await RowsAsync(rotated, "SELECT 1"));
        var old = await Assert.ThrowsAsync<PostgresException>(() => RowsAsync(_web, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, old.SqlState);
    }

    [Theory]
    [InlineData("the notes role")]
    [InlineData("the notes database")]
    [InlineData("no password")]
    public async Task A_web_connection_string_that_is_not_the_webs_own_is_refused(string wrong)
    {
        var notes = new NpgsqlConnectionStringBuilder(_notes);
        var web = new NpgsqlConnectionStringBuilder(_web);
        _ = wrong switch
        {
            "the notes role" => web.Username = notes.Username,
            "the notes database" => web.Database = notes.Database,
            _ => web.Password = null,
        };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => WebKeyRingDatabase.ProvisionAsync(_notes, web.ConnectionString, NullLogger.Instance));
        Assert.Contains("ConnectionStrings:webkeyring", refused.Message, StringComparison.Ordinal);
    }

    private string WebRole => new NpgsqlConnectionStringBuilder(_web).Username!;

    private string WebString(string notesDatabase, string password) => new NpgsqlConnectionStringBuilder(_notes)
    {
        Database = $"{notesDatabase}_web",
        Username = $"{notesDatabase}_web",
        Password = password,
        Pooling = false,
    }.ConnectionString;

    private NotejamDb NotesDb() => new(new DbContextOptionsBuilder<NotejamDb>().UseNpgsql(_notes).Options);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return rows;
    }
}
