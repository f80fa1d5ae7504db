using System.Globalization;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Storage.InMemory;

/// <summary>
/// The embedded work queue (one replica only, lost on restart) with the Redis queue's semantics: FIFO, a waiting contact is
/// coalesced, an entry handed out stays unacknowledged until acked and is reclaimed by another reader after
/// <see cref="RedisOptions.ClaimIdleTime"/>, and a contact enqueued after its entry was handed out is queued again.
/// </summary>
internal sealed class InMemoryWorkQueue(IOptions<RedisOptions> options, TimeProvider timeProvider) : IWorkQueue
{
    private readonly TimeSpan _claimIdleTime = options.Value.ClaimIdleTime;
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _waiting = new();
    private readonly Dictionary<string, Entry> _waitingByContact = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Entry> _handedOut = [];
    private long _sequence;
    private TaskCompletionSource _enqueued = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task EnqueueAsync(IReadOnlyCollection<WorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            foreach (var item in items)
            {
                if (_waitingByContact.ContainsKey(item.ContactId))
                {
                    continue;
                }

                var entry = new Entry(++_sequence, item, now);
                _waiting.AddLast(entry);
                _waitingByContact.Add(item.ContactId, entry);
                wake = _enqueued;
            }

            if (wake is not null)
            {
                _enqueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        wake?.TrySetResult();
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<LeasedWorkItem>> ReadAsync(string consumer, int maxCount, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var deadline = timeProvider.GetUtcNow() + wait;
        while (true)
        {
            Task enqueued;
            TimeSpan nap;
            lock (_gate)
            {
                var now = timeProvider.GetUtcNow();
                var leased = TakeLocked(maxCount, now);
                if (leased.Count > 0 || now >= deadline)
                {
                    return leased;
                }

                // Sleep until something is enqueued, an unacknowledged entry becomes reclaimable, or the wait is over.
                nap = deadline - now;
                foreach (var entry in _handedOut.Values)
                {
                    var reclaimableIn = entry.HandedOutAt + _claimIdleTime - now;
                    if (reclaimableIn < nap)
                    {
                        nap = reclaimableIn;
                    }
                }

                enqueued = _enqueued.Task;
            }

            using var napCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(nap > TimeSpan.Zero ? nap : TimeSpan.Zero, timeProvider, napCancel.Token);
            await Task.WhenAny(enqueued, delay);
            await napCancel.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public Task AcknowledgeAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var item in items)
            {
                if (long.TryParse(item.EntryId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence))
                {
                    _handedOut.Remove(sequence);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task ExtendAsync(string consumer, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentNullException.ThrowIfNull(items);
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            foreach (var item in items)
            {
                if (long.TryParse(item.EntryId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence)
                    && _handedOut.TryGetValue(sequence, out var entry))
                {
                    entry.HandedOutAt = now;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            foreach (var item in items)
            {
                // Back at the head of the line with the failed delivery uncounted; a contact queued again meanwhile stays once.
                if (long.TryParse(item.EntryId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence)
                    && _handedOut.TryGetValue(sequence, out var entry))
                {
                    _handedOut.Remove(sequence);
                    entry.Deliveries--;
                    if (_waitingByContact.TryAdd(entry.Item.ContactId, entry))
                    {
                        _waiting.AddFirst(entry);
                        wake = _enqueued;
                    }
                }
            }

            if (wake is not null)
            {
                _enqueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        wake?.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry? oldest = _waiting.First?.Value;
            foreach (var entry in _handedOut.Values)
            {
                // Sorted by sequence: the first is the oldest handed-out entry.
                if (oldest is null || entry.Sequence < oldest.Sequence)
                {
                    oldest = entry;
                }

                break;
            }

            TimeSpan? age = oldest is null ? null : timeProvider.GetUtcNow() - oldest.AddedAt;
            return Task.FromResult(new WorkQueueStats(_waiting.Count, _handedOut.Count, age));
        }
    }

    private List<LeasedWorkItem> TakeLocked(int maxCount, DateTimeOffset now)
    {
        var leased = new List<LeasedWorkItem>();
        foreach (var entry in _handedOut.Values)
        {
            if (leased.Count == maxCount)
            {
                return leased;
            }

            if (now - entry.HandedOutAt >= _claimIdleTime)
            {
                leased.Add(HandOut(entry, now));
            }
        }

        while (leased.Count < maxCount && _waiting.First is { } node)
        {
            _waiting.RemoveFirst();
            _waitingByContact.Remove(node.Value.Item.ContactId);
            _handedOut.Add(node.Value.Sequence, node.Value);
            leased.Add(HandOut(node.Value, now));
        }

        return leased;
    }

    private static LeasedWorkItem HandOut(Entry entry, DateTimeOffset now)
    {
        entry.HandedOutAt = now;
        entry.Deliveries++;
        return new LeasedWorkItem(entry.Sequence.ToString(CultureInfo.InvariantCulture), entry.Item, entry.Deliveries);
    }

    private sealed class Entry(long sequence, WorkItem item, DateTimeOffset addedAt)
    {
        public long Sequence { get; } = sequence;

        public WorkItem Item { get; } = item;

        public DateTimeOffset AddedAt { get; } = addedAt;

        public DateTimeOffset HandedOutAt { get; set; }

        public long Deliveries { get; set; }
    }
}
