namespace HubSyncWorker.Storage.InMemory;

/// <summary>
/// The embedded inbox (one replica): remembered event keys expire after their TTL on the injected clock; new events' contacts go
/// on the embedded queue before their keys are remembered, so a failed enqueue leaves the delivery to HubSpot's retry.
/// </summary>
internal sealed class InMemoryWebhookInbox(IWorkQueue queue, TimeProvider timeProvider) : IWebhookInbox
{
    private const int SweepEvery = 4096;
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, DateTimeOffset> _expiresAt = [];
    private int _marksSinceSweep;

    public async Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dedupeTtl, TimeSpan.Zero);
        var isNew = new bool[events.Count];
        var work = new List<WorkItem>(events.Count);
        var traceParent = WorkItem.CurrentTraceParent();
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            for (var i = 0; i < events.Count; i++)
            {
                if (_expiresAt.TryGetValue(events[i].DedupeId, out var expiresAt) && expiresAt > now)
                {
                    continue;
                }

                isNew[i] = true;
                if (events[i].ContactId is { } contactId)
                {
                    work.Add(new WorkItem(contactId, reason, enqueuedAt, traceParent));
                }
            }
        }

        if (work.Count > 0)
        {
            await queue.EnqueueAsync(work, cancellationToken);
        }

        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            for (var i = 0; i < events.Count; i++)
            {
                if (isNew[i])
                {
                    _expiresAt[events[i].DedupeId] = now + dedupeTtl;
                }
            }

            _marksSinceSweep += events.Count;
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

        return isNew;
    }

    /// <summary>How many keys are held (for the test of the sweep).</summary>
    internal int RememberedCount
    {
        get
        {
            lock (_gate)
            {
                return _expiresAt.Count;
            }
        }
    }
}
