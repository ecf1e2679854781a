using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who the client is when Notejam runs behind a proxy: an ingress or Container Apps' envoy in front of the web,
/// the web in front of the API. A request's X-Forwarded-For and X-Forwarded-Proto are believed only when it comes
/// from a trusted network: loopback and the private ranges pods and Container Apps talk from, or the CIDRs in
/// <c>Notejam:TrustedProxyNetworks</c> (comma separated). Per-client rate limits, logs and HTTPS detection
/// (secure cookies, HSTS) then see the person, not the proxy.
/// </summary>
public static class ClientAddresses
{
    public const string TrustedNetworksKey = "Notejam:TrustedProxyNetworks";

    private static readonly string[] PrivateNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];

    public static TBuilder AddClientAddresses<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var configured = builder.Configuration[TrustedNetworksKey];
        var networks = string.IsNullOrWhiteSpace(configured)
            ? PrivateNetworks
            : configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return builder;
    }

    /// <summary>First in the pipeline, before anything reads the client's address or scheme.</summary>
    public static WebApplication UseClientAddresses(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
