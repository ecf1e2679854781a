namespace Notejam.Tests.Infrastructure;

/// <summary>
/// The one way the tests wait for something that happens after an answer (a mail leaving the outbox, a span exported,
/// a log line written): poll until it holds, fail with a message saying what never came.
/// </summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan within, string? what = null) =>
        ValueAsync(() => Task.FromResult(condition() ? (object?)true : null), within, () => what ?? "the condition", TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// How long until <paramref name="condition"/> first holds, asked every <paramref name="every"/> (100 ms) for at most
    /// <paramref name="within"/>; else fails with "Not within N s: " and <paramref name="what"/>. For what a test measures
    /// as well as waits for (a replica turning unready, pages served again after an outage).
    /// </summary>
    public static async Task<TimeSpan> WhenAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> what, TimeSpan? every = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await ValueAsync(async () => await condition() ? (object?)true : null, within, what, every);
        return waited.Elapsed;
    }

    /// <summary>
    /// The first value <paramref name="probe"/> gives that is not null, asked every <paramref name="every"/> (100 ms) for at
    /// most <paramref name="within"/>; else fails with "Not within N s: " and <paramref name="what"/> (asked only then).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan within, Func<string> what, TimeSpan? every = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not within {within.TotalSeconds} s: {what()}.");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
