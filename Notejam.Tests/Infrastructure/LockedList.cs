namespace Notejam.Tests.Infrastructure;

/// <summary>
/// A collection OpenTelemetry's in-memory exporter may add to from any thread (spans and metrics of a host's own
/// background work are exported while a test reads) and a test copies under the same lock.
/// </summary>
public sealed class LockedList<T> : System.Collections.ObjectModel.Collection<T>
{
    private readonly Lock _lock = new();

    public T[] Snapshot()
    {
        lock (_lock)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, T item)
    {
        lock (_lock)
        {
            base.InsertItem(index, item);
        }
    }
}
