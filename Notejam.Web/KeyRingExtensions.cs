using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Notejam.Web;

internal static class KeyRingExtensions
{
    /// <summary>The web's data-protection key ring, kept in <see cref="KeyRingDb"/> and encrypted at rest.</summary>
    public static IHostApplicationBuilder AddNotejamKeyRing(this IHostApplicationBuilder builder)
    {
        // Every replica shares one key ring, so cookies and antiforgery tokens survive restarts and load balancing. It
        // lives in the web's own database, as its own role: the web holds no credential for the notes, which only the
        // api reads.
        var keyRingConnection = KeyRingDb.ConnectionString(builder.Configuration);
        builder.AddNpgsqlDbContext<KeyRingDb>(KeyRingDb.ConnectionName, settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableRetry = true;
            // Traced and measured by the service defaults wherever telemetry is exported; left on, these would start
            // providers where it is not.
            settings.DisableTracing = true;
            settings.DisableMetrics = true;
        });
        builder.AddKeyRing("Notejam.Web").PersistKeysToDbContext<KeyRingDb>()
            .CreateFirstKeyOnce(() => new NpgsqlConnection(keyRingConnection));
        return builder;
    }
}
