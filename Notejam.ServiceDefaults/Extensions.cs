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

    /// <summary>
    /// What is measured and traced (ASP.NET Core, HttpClient, the runtime, Npgsql, EF Core, the Notejam.* meters), and
    /// exported only where something reads it: traces, metrics and logs over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set,
    /// metrics at /metrics when Metrics:Prometheus:Enabled is true. Without either no tracer or meter provider is built, so
    /// no listener makes ASP.NET Core, HttpClient or Npgsql record a span or a measurement that nothing would read: that is
    /// the cost of every request, not of its telemetry. The instrumentation is registered as configuration of whichever
    /// provider is built, so any exporter added to this host (the tests' in-memory ones) gets all of it.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter("Npgsql", "Microsoft.EntityFrameworkCore", "Notejam.*"));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(builder.Environment.ApplicationName, "Npgsql")
            .AddAspNetCoreInstrumentation(aspnet =>
                // Probes and scrapes would drown the traces people look for.
                aspnet.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthPath) &&
                    !context.Request.Path.StartsWithSegments(AlivePath) &&
                    !context.Request.Path.StartsWithSegments(MetricsPath))
            .AddHttpClientInstrumentation());

        // Exported only where an OTLP endpoint is configured (the Aspire dashboard, a collector, Azure Monitor): this
        // builds the logger, meter and tracer providers, with the configuration above. (Aspire's AddNpgsqlDbContext would
        // build providers of its own: the services switch its tracing and metrics off, the Npgsql ones being configured here.)
        if (OtlpExporterConfigured(builder.Configuration))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        if (PrometheusEnabled(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
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
        // Probes come from the platform, never signed in, even where every other page needs a user. Answered by routing
        // itself (short-circuit): what runs after it in the pipeline (authentication, session checks, authorization,
        // status code pages) has nothing to do for them; what runs before it (security headers, HSTS) still applies.
        // They bind nothing, so nothing to validate.
        app.MapHealthChecks(HealthPath).DisableHttpMetrics().AllowAnonymous().DisableValidation().ShortCircuit();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) })
            .DisableHttpMetrics().AllowAnonymous().DisableValidation().ShortCircuit();
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

    private static bool OtlpExporterConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}
