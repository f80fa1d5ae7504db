namespace HubSyncWorker.Storage.InMemory;

/// <summary>The embedded dedupe store: keys expire after their TTL, measured on the injected clock.</summary>
internal sealed class InMemoryDedupeStore(TimeProvider timeProvider) : IDedupeStore
{
    private const int SweepEvery = 4096;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _expiresAt = new(StringComparer.Ordinal);
    private int _marksSinceSweep;

    public Task<IReadOnlyList<bool>> TryMarkAsync(IReadOnlyList<string> keys, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var fresh = new bool[keys.Count];
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            for (var i = 0; i < keys.Count; i++)
            {
                if (_expiresAt.TryGetValue(keys[i], out var expiresAt) && expiresAt > now)
                {
                    continue;
                }

                _expiresAt[keys[i]] = now + ttl;
                fresh[i] = true;
            }

            _marksSinceSweep += keys.Count;
            if (_marksSinceSweep >= SweepEvery)
            {
                // Keep memory bounded by the keys alive within the TTL.
                _marksSinceSweep = 0;
                foreach (var expired in _expiresAt.Where(pair => pair.Value <= now).Select(pair => pair.Key).ToList())
                {
                    _expiresAt.Remove(expired);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<bool>>(fresh);
    }

    public Task ForgetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var key in keys)
            {
                _expiresAt.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<bool>> ContainsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var seen = new bool[keys.Count];
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            for (var i = 0; i < keys.Count; i++)
            {
                seen[i] = _expiresAt.TryGetValue(keys[i], out var expiresAt) && expiresAt > now;
            }
        }

        return Task.FromResult<IReadOnlyList<bool>>(seen);
    }
}
