using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Leaving without dropping anyone. On SIGTERM the service first reports itself not ready (/health answers 503)
/// while it keeps serving for <c>Notejam:ShutdownDelay</c> (5 s; 0 in Development), so load balancers and
/// Kubernetes take it out of rotation before it stops listening; then Kestrel stops accepting connections and
/// lets the requests in flight finish (within the host's shutdown timeout). /alive stays healthy throughout,
/// so nothing restarts a service that is merely leaving.
/// </summary>
public static partial class GracefulShutdown
{
    public const string DelayKey = "Notejam:ShutdownDelay";

    public static TBuilder AddGracefulShutdown<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var delay = builder.Configuration.GetValue<TimeSpan?>(DelayKey)
            ?? (builder.Environment.IsDevelopment() ? TimeSpan.Zero : TimeSpan.FromSeconds(5));
        if (delay < TimeSpan.Zero || delay > TimeSpan.FromMinutes(5))
        {
            throw new InvalidOperationException($"{DelayKey} must be between 00:00:00 and 00:05:00; it is {delay}.");
        }

        builder.Services.AddSingleton(services => new Draining(delay, services.GetRequiredService<ILogger<Draining>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<Draining>());
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = delay + TimeSpan.FromSeconds(20));
        builder.Services.AddHealthChecks().AddCheck<DrainingCheck>("draining");
        return builder;
    }

    /// <summary>Runs before every hosted service stops, Kestrel included, so the server still answers meanwhile.</summary>
    internal sealed partial class Draining(TimeSpan delay, ILogger<Draining> logger) : IHostedLifecycleService
    {
        public bool IsDraining { get; private set; }

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            IsDraining = true;
            LogDraining(logger, delay);
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out first: stop now.
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: not ready from now on, still serving for {Delay}")]
        private static partial void LogDraining(ILogger logger, TimeSpan delay);

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class DrainingCheck(Draining draining) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(draining.IsDraining ? HealthCheckResult.Unhealthy("Shutting down.") : HealthCheckResult.Healthy());
    }
}
