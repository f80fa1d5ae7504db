using System.Collections.Concurrent;

namespace HubSyncWorker.Storage.InMemory;

/// <summary>
/// The embedded checkpoint store (lost on restart: a resync then starts over, which is correct, only slower). A fenced write
/// happens under the embedded lock's own gate, so it is refused exactly when that lock says the lease is no longer held.
/// </summary>
internal sealed class InMemoryCheckpointStore(InMemoryDistributedLock locks) : ICheckpointStore
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_values.TryGetValue(name, out var value) ? value : null);
    }

    public Task SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        _values[name] = value;
        return Task.CompletedTask;
    }

    public Task<bool> TrySetAsync(string name, string value, ILockLease holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(holder);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(locks.WhileHeld(holder.Name, holder.FencingToken, () => _values[name] = value));
    }

    public Task<bool> TryDeleteAsync(string name, ILockLease holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(holder);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(locks.WhileHeld(holder.Name, holder.FencingToken, () => _values.TryRemove(name, out _)));
    }
}
