using Npgsql;

namespace Notejam.Api.Data;

/// <summary>
/// How the api's pooled connections talk to PostgreSQL, whatever the connection string it is given (AppHost, Helm,
/// Container Apps) says, unless it says otherwise.
/// </summary>
internal static class PooledConnections
{
    /// <summary>
    /// <list type="bullet">
    /// <item><c>No Reset On Close</c>: Npgsql otherwise resets a connection given back to the pool with statements sent
    /// before its next command, which PostgreSQL counts and runs as one more transaction (an unchanged page made two,
    /// bench/profile.sh). Nothing here leaves session state behind: no SET, no LISTEN, no temporary table, and the one
    /// session advisory lock a service process takes (KeyRingCheck) is released explicitly.</item>
    /// <item><c>Max Auto Prepare</c>: a statement run twice on a connection is prepared there, so PostgreSQL stops parsing
    /// and planning the session check, the lists and the counts on every request. EF Core names every column, so a
    /// column added by an expand migration does not change a prepared statement's result.</item>
    /// </list>
    /// </summary>
    public static string Tune(string? connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Has(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        if (!Has(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
        }

        return settings.ConnectionString;
    }

    private static bool Has(string? connectionString, params string[] keys) =>
        connectionString is not null && keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));
}
