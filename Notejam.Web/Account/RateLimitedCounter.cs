using System.Diagnostics.Metrics;

namespace Notejam.Web.Account;

/// <summary>notejam.rate_limited on the "Notejam.Web" meter: the API's per-address refusals, as the site passed them on.</summary>
public sealed class RateLimitedCounter(IMeterFactory meters)
{
    public const string MeterName = "Notejam.Web";

    private readonly Counter<long> _counter = meters.Create(MeterName).CreateCounter<long>(
        "notejam.rate_limited", "{request}", "Requests refused with 429 because the API limited the visitor's address.");

    public void Add(string limit) => _counter.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
