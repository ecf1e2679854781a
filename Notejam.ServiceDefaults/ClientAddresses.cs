using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who the client is when Notejam runs behind a proxy: an ingress or Container Apps' envoy in front of the web, the web
/// in front of the API. A request's X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
/// <c>Notejam:TrustedProxyNetworks</c> (CIDRs, comma separated), and only their last hop (the address the proxy itself
/// saw; <c>Notejam:TrustedProxyHops</c> for chains of them), so a client cannot choose the address that per-client limits and logs see. Nothing is trusted by default: the
/// AppHost names the web's loopback for the API, the Helm chart and the Bicep name their ingress and the web's network.
/// This is the only place forwarded headers are read (no ASPNETCORE_FORWARDEDHEADERS_ENABLED beside it).
/// </summary>
public static class ClientAddresses
{
    public const string TrustedNetworksKey = "Notejam:TrustedProxyNetworks";
    public const string TrustedHopsKey = "Notejam:TrustedProxyHops";

    public static TBuilder AddClientAddresses<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var networks = (builder.Configuration[TrustedNetworksKey] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(network => System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{TrustedNetworksKey}: '{network}' is not a network in CIDR notation (for example 10.244.0.0/16)."))
            .ToList();
        var hops = builder.Configuration.GetValue(TrustedHopsKey, 1);
        if (hops < 1)
        {
            throw new InvalidOperationException($"{TrustedHopsKey} must be at least 1.");
        }

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With no network named, read no header: the middleware believes everyone when both lists are empty
            // (ASP.NET Core's "Configure ASP.NET Core to work with proxy servers": cleared lists forward from any proxy).
            options.ForwardedHeaders = networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // One hop by default: the address the trusted proxy saw; anything the client wrote before it is not believed.
            // Two where a trusted proxy sits behind another (Container Apps' internal ingress behind the web), each hop
            // believed only while it comes from a trusted network.
            options.ForwardLimit = hops;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
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
