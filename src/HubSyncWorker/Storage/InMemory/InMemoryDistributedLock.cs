namespace HubSyncWorker.Storage.InMemory;

/// <summary>
/// The embedded lock: leases expire on the injected clock, fencing tokens grow with every acquisition of a name, and only the
/// current holder can renew or release (the same contract as the Redis lock, within one process).
/// </summary>
internal sealed class InMemoryDistributedLock(TimeProvider timeProvider) : IDistributedLock
{
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _fencing = new(StringComparer.Ordinal);

    public Task<ILockLease?> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            if (_holders.TryGetValue(name, out var current) && current.ExpiresAt > now)
            {
                return Task.FromResult<ILockLease?>(null);
            }

            var token = _fencing.GetValueOrDefault(name) + 1;
            _fencing[name] = token;
            var holder = new Holder(token, now + ttl);
            _holders[name] = holder;
            return Task.FromResult<ILockLease?>(new Lease(this, name, holder, ttl));
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> only while the lease with <paramref name="fencingToken"/> holds <paramref name="name"/>, atomically
    /// with that check; false when it does not.
    /// </summary>
    internal bool WhileHeld(string name, long fencingToken, Action action)
    {
        lock (_gate)
        {
            if (!_holders.TryGetValue(name, out var current) || current.FencingToken != fencingToken || !IsHeldLocked(name, current))
            {
                return false;
            }

            action();
            return true;
        }
    }

    private bool IsHeldLocked(string name, Holder holder) =>
        _holders.TryGetValue(name, out var current) && ReferenceEquals(current, holder) && current.ExpiresAt > _timeProvider.GetUtcNow();

    private sealed class Holder(long fencingToken, DateTimeOffset expiresAt)
    {
        public long FencingToken { get; } = fencingToken;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
    }

    private sealed class Lease(InMemoryDistributedLock owner, string name, Holder holder, TimeSpan ttl) : ILockLease
    {
        public string Name => name;

        public long FencingToken => holder.FencingToken;

        public Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (owner._gate)
            {
                if (!owner.IsHeldLocked(name, holder))
                {
                    return Task.FromResult(false);
                }

                holder.ExpiresAt = owner._timeProvider.GetUtcNow() + ttl;
                return Task.FromResult(true);
            }
        }

        public Task<bool> IsStillHeldAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (owner._gate)
            {
                return Task.FromResult(owner.IsHeldLocked(name, holder));
            }
        }

        public ValueTask DisposeAsync()
        {
            lock (owner._gate)
            {
                if (owner._holders.TryGetValue(name, out var current) && ReferenceEquals(current, holder))
                {
                    owner._holders.Remove(name);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
