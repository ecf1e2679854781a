using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Notejam.Web.Api;

internal static class ApiUnavailable
{
    /// <summary>The API (or its database) could not answer in time: a 503 page, not a 500.</summary>
    public static bool Is(Exception exception) => exception is HttpRequestException or TimeoutRejectedException
        or BrokenCircuitException or TaskCanceledException { InnerException: TimeoutException };
}
