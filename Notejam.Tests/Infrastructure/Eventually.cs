namespace Notejam.Tests.Infrastructure;

/// <summary>Waits for something that happens after an answer (a mail leaving the outbox), failing with a message.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan within, string? what = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not true within {within.TotalSeconds} s: {what ?? "the condition"}.");
            await Task.Delay(20);
        }
    }
}
