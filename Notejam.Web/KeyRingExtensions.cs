using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace Notejam.Web;

internal static class KeyRingExtensions
{
    /// <summary>The web's data-protection key ring, kept in <see cref="KeyRingStore"/> and encrypted at rest.</summary>
    public static IHostApplicationBuilder AddNotejamKeyRing(this IHostApplicationBuilder builder)
    {
        // Every replica shares one key ring, so cookies and antiforgery tokens survive restarts and load balancing. It
        // lives in the web's own database, as its own role: the web holds no credential for the notes, which only the
        // api reads.
        var keyRingConnection = KeyRingStore.ConnectionString(builder.Configuration);
        builder.Services.AddSingleton(_ => new KeyRingStore(NpgsqlDataSource.Create(keyRingConnection)));
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<KeyRingStore>((options, store) => options.XmlRepository = store);
        builder.AddKeyRing("Notejam.Web").CreateFirstKeyOnce(() => new NpgsqlConnection(keyRingConnection));
        return builder;
    }
}
