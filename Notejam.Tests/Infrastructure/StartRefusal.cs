using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Notejam.Tests.Infrastructure;

/// <summary>
/// What a refused start tells: the exception WebApplicationFactory throws, and what the host logged at Error or above
/// (what an operator reads). Under load the factory's own port probe can meet the failed host already disposed and
/// throw ObjectDisposedException in place of the reason (seen 2026-12-03 in a full run), which the log still has.
/// </summary>
public sealed class StartRefusal : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _said = new();

    /// <summary>Whether starting threw (the start was refused).</summary>
    public bool Thrown { get; private set; }

    /// <summary>Every message of the exception thrown and of what was logged at Error or above, in order.</summary>
    public IReadOnlyCollection<string> Said => _said;

    public IWebHostBuilder Watch(IWebHostBuilder builder) => builder.ConfigureLogging(logging => logging.AddProvider(this));

    public void Record(Action start)
    {
        if (Xunit.Record.Exception(start) is { } failure)
        {
            Thrown = true;
            Enqueue(failure);
        }
    }

    public void AssertSays(params string[] parts)
    {
        Assert.True(Thrown, "The start was not refused");
        var said = string.Join(" | ", _said);
        foreach (var part in parts)
        {
            Assert.Contains(part, said, StringComparison.Ordinal);
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            _said.Enqueue(formatter(state, exception));
            if (exception is not null)
            {
                Enqueue(exception);
            }
        }
    }

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    private void Enqueue(Exception failure)
    {
        foreach (var e in Chain(failure))
        {
            _said.Enqueue(e.Message);
        }
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
