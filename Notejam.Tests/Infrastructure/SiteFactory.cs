using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Notejam.Web;
using Notejam.Web.Api;

namespace Notejam.Tests.Infrastructure;

/// <summary>Notejam.Web on Kestrel, talking over real HTTP to Notejam.Api on its own PostgreSQL database.</summary>
public sealed class SiteFactory : IAsyncLifetime
{
    private readonly List<IDisposable> _replicas = [];

    public ApiFactory Api { get; } = new();

    public WebFactory Web { get; private set; } = null!;

    /// <summary>The web's own database (its key ring), as its own role: the web is given nothing of the notes database.</summary>
    public string WebKeyRing { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Api).InitializeAsync();
        WebKeyRing = await Api.WebKeyRingAsync();
        Web = StartWeb(ServerAddress.Of(Api));
    }

    /// <summary>Another web replica (same key ring), optionally in front of another API replica.</summary>
    public WebFactory StartWeb(Uri api, Action<IWebHostBuilder>? configure = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var web = new WebFactory(WebKeyRing, api, configure);
            try
            {
                web.UseKestrel(0);
                web.StartServer();
                _replicas.Add(web);
                return web;
            }
            catch (InvalidOperationException race) when (attempt < 3 &&
                race.Message.Contains("cannot be modified after the server has started", StringComparison.Ordinal))
            {
                // WebApplicationFactory sets its port on Kestrel's address list after Kestrel has begun (seen once in a
                // full run: IServerAddressesFeature.Addresses cannot be modified...). A new factory, not a second try of it.
                try
                {
                    web.Dispose();
                }
                catch (Exception)
                {
                    // A half-started factory may not dispose cleanly; it holds nothing the next one needs.
                }
            }
        }
    }

    public SiteBrowser Browser(WebFactory? web = null) => new(ServerAddress.Of(web ?? Web));

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        await ((IAsyncLifetime)Api).DisposeAsync();
    }
}

public sealed class WebFactory(string keyRingConnectionString, Uri api, Action<IWebHostBuilder>? configure) : WebApplicationFactory<KeyRingStore>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting($"ConnectionStrings:{KeyRingStore.ConnectionName}", keyRingConnectionString);
        builder.UseSetting("Notejam:ApiUrl", api.ToString());
        builder.UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, ApiFactory.WebKeyEncryptionKey);
        // The test client plays the ingress in front of the site: what it forwards is believed.
        builder.UseSetting("Notejam:TrustedProxyNetworks", "127.0.0.0/8,::1/128");
        builder.UseSetting("Notejam:ShutdownDelay", "00:00:00");
        // Production's read budget (1.8 s, then the 503 page) is a promise to people, tested where it is the subject
        // (SilentApiTests, FaultTests). Elsewhere a slow moment of a loaded CI machine must not turn a page into the 503
        // page: a full run on 2026-12-03 once got a page without its pads in ReadCacheTests, in 3 s, most likely so.
        builder.UseSetting("Notejam:ApiReadBudget", ApiClientSettings.TotalBudget.ToString());
        configure?.Invoke(builder);
    }
}

[CollectionDefinition(Name)]
public sealed class SiteTests : ICollectionFixture<SiteFactory>
{
    public const string Name = "Notejam.Web and Notejam.Api on PostgreSQL";
}
