using Npgsql;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// An account id can come back for someone else: the dashboard's "Reset the database" (TRUNCATE … RESTART IDENTITY), or
/// a database restored from a backup while the web replicas keep running, gives the next new account the id of an earlier
/// one, with the same data version after the same steps, so the api's ETags match. What the web keeps (the api's answers,
/// rendered pages) must then not pass from the earlier person to the new one. Found by the browser journey in CI, after
/// DeveloperCommandsTests had reset the AppHost's database: a new person was shown another's note.
/// </summary>
public sealed class ReusedAccountIdTests(SiteFactory site) : IClassFixture<SiteFactory>
{
    [Fact]
    public async Task A_new_account_that_gets_an_earlier_accounts_id_sees_none_of_what_the_web_kept_for_it()
    {
        using var earlier = await SiteUser.SignUpAndInAsync(site);
        var secret = await earlier.CreateNoteAsync("Earlier secret note", "not yours");
        Assert.Equal("Earlier secret note", secret.Title);
        var notePath = secret.Url.AbsolutePath;
        Assert.Contains("Earlier secret note", (await earlier.Browser.GetAsync("/")).Html, StringComparison.Ordinal);

        await RestartEveryIdAsync();

        using var next = await SiteUser.SignUpAndInAsync(site);
        var own = await next.CreateNoteAsync("Newer own note", "mine");
        Assert.Equal(notePath, own.Url.AbsolutePath); // the same id, as after a reset

        var note = await next.Browser.GetAsync(notePath);
        var all = await next.Browser.GetAsync("/");
        Assert.Equal("Newer own note", note.Title);
        Assert.DoesNotContain("secret", note.Html + all.Html, StringComparison.Ordinal);
        Assert.Contains("Newer own note", all.Html, StringComparison.Ordinal);
    }

    /// <summary>Every table of the notes database emptied with its ids restarted, as DeveloperCommands' reset does.</summary>
    private async Task RestartEveryIdAsync()
    {
        await using var connection = new NpgsqlConnection(site.Api.ConnectionString);
        await connection.OpenAsync();
        await using var reset = new NpgsqlCommand("""
            DO $$ DECLARE tables text;
            BEGIN
              SELECT string_agg(format('%I', tablename), ', ') INTO tables FROM pg_tables
               WHERE schemaname = 'public' AND tablename NOT IN ('__EFMigrationsHistory', 'DataProtectionKeys', 'WebDataProtectionKeys');
              EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
            END $$
            """, connection);
        await reset.ExecuteNonQueryAsync();
    }
}
