using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every Notejam service shares: telemetry, health probes, service discovery and resilient HTTP.</summary>
public static class Extensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    public const string MetricsPath = "/metrics";

    // Off by default: /metrics answers anyone who reaches the pod, so only where Prometheus scrapes it.
    public const string PrometheusSetting = "Metrics:Prometheus:Enabled";

    // Where set, /metrics answers only on this port, which no Ingress routes to (the chart's "metrics" port).
    public const string PrometheusPortSetting = "Metrics:Prometheus:Port";

    // Checks tagged "live" answer /alive; every check answers /health (readiness).
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var prometheus = PrometheusEnabled(builder.Configuration);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("Npgsql", "Microsoft.EntityFrameworkCore", "Notejam.*");
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, "Npgsql")
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Probes and scrapes would drown the traces people look for.
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath) &&
                        !context.Request.Path.StartsWithSegments(AlivePath) &&
                        !context.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation());

        // Exported only where an OTLP endpoint is configured (the Aspire dashboard, a collector, Azure Monitor).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps /health (readiness: every check) and /alive (liveness: the process answers) in every
    /// environment, since orchestrators probe them. They answer only Healthy, Degraded or Unhealthy.
    /// Maps /metrics (Prometheus text) only where Metrics:Prometheus:Enabled is true, on Metrics:Prometheus:Port if set.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Probes come from the platform, never signed in, even where every other page needs a user.
        app.MapHealthChecks(HealthPath).DisableHttpMetrics().AllowAnonymous();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) })
            .DisableHttpMetrics().AllowAnonymous();
        if (PrometheusEnabled(app.Configuration))
        {
            // Scraped by Prometheus from inside the cluster, never signed in; not counted in the request metrics it serves.
            var scrape = app.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics().AllowAnonymous();
            if (app.Configuration.GetValue<int?>(PrometheusPortSetting) is { } port)
            {
                // The port the connection came in on, not the Host header, which a client through the Ingress chooses.
                scrape.Add(endpoint =>
                {
                    var scrapeMetrics = endpoint.RequestDelegate!;
                    endpoint.RequestDelegate = context => context.Connection.LocalPort == port
                        ? scrapeMetrics(context)
                        : Results.NotFound().ExecuteAsync(context);
                });
            }
        }

        return app;
    }

    private static bool PrometheusEnabled(IConfiguration configuration) => configuration.GetValue<bool>(PrometheusSetting);
}
