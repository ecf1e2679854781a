using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Notejam.Web.Api;

internal static class ApiClientExtensions
{
    /// <summary>
    /// The clients the site reaches the API with (<see cref="NotejamApiClient"/> for pages, its transfer client for a
    /// whole account), each with its resilience, the person's token and address on every call, and the caches of what
    /// the API answered.
    /// </summary>
    public static IHostApplicationBuilder AddNotejamApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<MyPads>();
        builder.Services.AddSingleton<ApiReadCache>();
        builder.Services.AddScoped<ConfirmedETag>();
        builder.Services.AddTransient<ApiTokenHandler>();
        // The API, found by service discovery unless configured.
        var apiSettings = ApiClientSettings.From(builder.Configuration);
        builder.Services.AddHttpClient<NotejamApiClient>(client =>
                client.BaseAddress = apiSettings.ApiUrl)
            .AddHttpMessageHandler<ApiTokenHandler>()
            // Fail fast to the 503 page rather than keep a person waiting; never repeat a change the API may have made.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.MaxRetryAttempts = 2;
                options.Retry.Delay = TimeSpan.FromMilliseconds(100);
                options.Retry.DisableForUnsafeHttpMethods();
                options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
                options.TotalRequestTimeout.Timeout = ApiClientSettings.TotalBudget;
                // A page read gets its answer or the 503 page within Notejam:ApiReadBudget (1.8 s), retries included,
                // even when something in between holds the connection open; a change keeps the longer budget, so it is
                // not cut off after the API may have saved it.
                var readBudget = apiSettings.ApiReadBudget;
                options.TotalRequestTimeout.TimeoutGenerator = arguments => ValueTask.FromResult(
                    arguments.Context.GetRequestMessage()?.Method is { } method && (method == HttpMethod.Get || method == HttpMethod.Head)
                        ? readBudget
                        : options.TotalRequestTimeout.Timeout);
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
                // After an outage the site tries the API again within 2 s, not the default 5.
                options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(2);
            });

        // A whole account moves through this one: minutes, not seconds, and still never a change repeated.
        builder.Services.AddHttpClient(NotejamApiClient.TransferClient, client =>
            {
                client.BaseAddress = apiSettings.ApiUrl;
                client.Timeout = TimeSpan.FromMinutes(5);
            })
            .AddHttpMessageHandler<ApiTokenHandler>()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(4);
            });
        return builder;
    }
}
