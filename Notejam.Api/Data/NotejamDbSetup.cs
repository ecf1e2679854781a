using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Notejam.Api.Data;

internal static class NotejamDbSetup
{
    /// <summary>
    /// <see cref="NotejamDb"/> on <c>ConnectionStrings:notejam</c> with its health check, and the api's data-protection key
    /// ring kept in it (encrypted with <c>DataProtection:KeyEncryptionKey</c>).
    /// </summary>
    public static IHostApplicationBuilder AddNotejamDb(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<NotejamDb>("notejam",
            settings =>
            {
                settings.ConnectionString = PooledConnections.Tune(settings.ConnectionString);
                // Both replaced below: the defaults retry for minutes, which turns a database outage into hung requests and probes.
                settings.DisableRetry = true;
                settings.DisableHealthChecks = true;
                // The service defaults trace and measure Npgsql and EF Core wherever telemetry is exported; left on, these would
                // start a tracer and a meter provider (a span and measurements per command) where it is not.
                settings.DisableTracing = true;
                settings.DisableMetrics = true;
            },
            options => options.UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(
                maxRetryCount: 2, maxRetryDelay: TimeSpan.FromSeconds(1), errorCodesToAdd: null)));
        builder.Services.AddHealthChecks().AddNpgSql(
            builder.Configuration.GetConnectionString("notejam") ?? "", name: "postgres", timeout: TimeSpan.FromSeconds(3));

        builder.AddKeyRing("Notejam.Api").PersistKeysToDbContext<NotejamDb>()
            .CreateFirstKeyOnce(() => new NpgsqlConnection(builder.Configuration.GetConnectionString("notejam")));
        return builder;
    }
}
