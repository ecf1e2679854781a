using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Notejam.Api.Data;

/// <summary>
/// `Notejam.Api migrate`: makes the web's own database (<see cref="WebKeyRingDatabase"/>), applies the migrations and exits. It runs before every rollout (the AppHost's one-shot, the
/// Helm hook) and in every new api replica on Container Apps (its init container), so several can start at once: each
/// waits for a PostgreSQL advisory lock and then finds what the one before it left to do. EF Core's own migration lock
/// is not enough here: three replicas on an empty database made two apply the same migration
/// (Deploy/MigrationAtStartTests fails without this lock).
/// </summary>
internal static partial class MigrateCommand
{
    // Any constant shared by every replica: the advisory-lock key space is the database's, and nothing else here uses it.
    private const long LockKey = 0x4E6F74656A616D; // "Notejam"

    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotejamDb>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrateCommand));

        // A connection of its own holds the lock for the whole run; closing it releases the lock even if this process dies.
        await using var holder = new NpgsqlConnection(db.Database.GetConnectionString());
        await holder.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", holder))
        {
            take.Parameters.AddWithValue("key", LockKey);
            take.CommandTimeout = 0; // wait as long as the replica before this one migrates
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        // The web's own database first: its ring may still have to be copied out of a table the migrations below drop.
        var webKeyRing = scope.ServiceProvider.GetRequiredService<IConfiguration>().GetConnectionString(WebKeyRingDatabase.ConnectionName);
        if (!string.IsNullOrEmpty(webKeyRing))
        {
            await WebKeyRingDatabase.ProvisionAsync(db.Database.GetConnectionString()!, webKeyRing, logger, cancellationToken);
        }
        else
        {
            NoWebDatabase(logger, WebKeyRingDatabase.ConnectionName);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();
        Migrating(logger, pending.Length, pending);
        await db.Database.MigrateAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ConnectionStrings:{Name} is not set: the web's own database is not made or updated by this run")]
    private static partial void NoWebDatabase(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} pending migration(s): {Migrations}")]
    private static partial void Migrating(ILogger logger, int count, string[] migrations);
}
