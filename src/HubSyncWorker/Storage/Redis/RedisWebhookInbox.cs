using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The webhook inbox in Redis: one script checks each event's dedupe key, marks the new ones and queues their contacts on the
/// work-queue stream, in one round trip. Being one script, it is atomic: two replicas handed the same retry at once queue it once.
/// <para>
/// Deliveries that arrive while a script is in flight are committed together by the next one (group commit): under load one
/// round trip carries many deliveries, so the per-call cost of Redis and of the client is paid once for all of them; an idle
/// worker sends each delivery at once, so nothing waits for a timer. Each caller still gets its own events' answers, and a
/// failure of the script fails every delivery it carried (each is answered 503 and retried by HubSpot; the events it had already
/// queued are then duplicates whose work is in the queue).
/// </para>
/// <para>
/// The contacts of one call go on the stream as one <see cref="WorkQueueEntry"/> (up to <see cref="ContactsPerEntry"/> per entry),
/// which the consumer reads back as one item per contact: the stream, not Redis's CPU, carries the per-contact cost. The entry
/// has no coalescing marker; a contact queued twice is read once per consumer batch (its ids are made distinct) and evaluated
/// against HubSpot's current state either way. The script is <c>Scripts/webhook-accept.lua</c>; <see cref="WebhookAcceptCall"/>
/// builds its arguments.
/// </para>
/// <para>
/// An event is remembered by the 128-bit XxHash of its key (16 bytes, where the key itself is some 60): a fourth of the memory
/// per event, and cheaper for Redis to hash and compare; two different events sharing one is a 2^-128 chance per pair.
/// Keys are filed by the hour the event occurred (<c>{prefix}dedupe:hour:{n}</c>, a hash whose fields are the keys), and each hour
/// expires the dedupe TTL after it ends (or after now, for an event older than that): a retry carries the
/// same <c>occurredAt</c>, so it finds its key, and a field costs Redis far less memory and time than a key with its own expiry.
/// An event without a time gets its own key (<c>{prefix}dedupe:{key}</c>) with the TTL.
/// </para>
/// </summary>
internal sealed class RedisWebhookInbox(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWebhookInbox
{
    /// <summary>At most this many events per script, so one call never holds Redis (single-threaded) for long.</summary>
    internal const int MaxEventsPerCall = 512;

    /// <summary>At most this many contacts per stream entry: one HubSpot batch read, so a consumer never holds more than it can read at once.</summary>
    internal const int ContactsPerEntry = 100;

    private readonly RedisKey[] _keys = [new RedisKeys(options.Value).Stream];
    private readonly RedisValue _dedupePrefix = new RedisKeys(options.Value).DedupePrefix;
    private readonly ConcurrentQueue<Delivery> _waiting = new();
    private readonly Lock _take = new();

    /// <summary>At most this many scripts of this inbox in flight at once (each carrying the deliveries waiting when it was sent).</summary>
    internal int MaxCallsInFlight { get; init; } = 2;

    /// <summary>Test seam: called when a loop found nothing to take, just before it stops counting itself.</summary>
    internal Action? LoopIdle { get; init; }

    private int _loops;

    private WebhookAcceptCall? _sparePlan;

    public Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dedupeTtl, TimeSpan.Zero);
        foreach (var e in events)
        {
            // A comma would split the id in the script's list of contacts; 0 is no identity (a default event).
            if (e.DedupeId == UInt128.Zero || (e.ContactId is { Length: > 0 } && !WorkQueueEntry.IsListable(e.ContactId)))
            {
                throw new ArgumentException("Every event needs a dedupe identity, and a contact id holds no comma.", nameof(events));
            }
        }

        if (events.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<bool>>([]);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<bool>>(cancellationToken);
        }

        var delivery = new Delivery(events, reason, enqueuedAt, dedupeTtl);
        _waiting.Enqueue(delivery);
        Interlocked.MemoryBarrier();
        if (TryStartLoop())
        {
            // This caller starts a commit loop; it runs inline up to its first round trip, then on the thread pool.
            _ = CommitLoopAsync();
        }

        // Once queued, the delivery is not withdrawn and the caller waits for its script (within the Redis timeouts): a command
        // already sent completes on the server anyway, and waiting on the token as well cost every delivery an extra hand-off.
        return delivery.Result.Task;
    }

    /// <summary>
    /// One script for <paramref name="deliveries"/> (same reason and TTL), answering each one's events. A key repeated across the
    /// deliveries is sent once: its first occurrence gets the answer, the others are duplicates. Internal for the tests of a
    /// shared call.
    /// </summary>
    internal Task<IReadOnlyList<bool>[]> AcceptTogetherAsync(IReadOnlyList<Delivery> deliveries) => AcceptTogetherAsync(deliveries, new WebhookAcceptCall());

    /// <summary>As <see cref="AcceptTogetherAsync(IReadOnlyList{Delivery})"/>, building the call in <paramref name="plan"/> (reset first), which a commit loop reuses.</summary>
    private async Task<IReadOnlyList<bool>[]> AcceptTogetherAsync(IReadOnlyList<Delivery> deliveries, WebhookAcceptCall plan)
    {
        plan.Reset();
        foreach (var delivery in deliveries)
        {
            plan.Add(delivery);
        }

        var values = plan.Arguments(_dedupePrefix, ContactsPerEntry);
        var result = await RedisFailures.GuardAsync(
            "webhook accept",
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.WebhookAccept, _keys, values),
            CancellationToken.None);
        return plan.Answers((byte[]?)result ?? [], deliveries);
    }

    /// <summary>
    /// True when the caller may start a commit loop: at most <see cref="MaxCallsInFlight"/> run at once, so a delivery arriving
    /// while one script is in flight goes out in the next one without waiting for the first to come back.
    /// </summary>
    /// <remarks>
    /// Counts only up to the limit (compare-and-swap, never a transient count above it that could make an exiting loop believe
    /// others still run). Callers fence between queuing a delivery and calling this, and a loop decrements (a fence) before it
    /// looks at the queue, so either the caller sees the loop gone and starts one, or the loop sees the delivery.
    /// </remarks>
    private bool TryStartLoop()
    {
        var loops = Volatile.Read(ref _loops);
        while (loops < MaxCallsInFlight)
        {
            var seen = Interlocked.CompareExchange(ref _loops, loops + 1, loops);
            if (seen == loops)
            {
                return true;
            }

            loops = seen;
        }

        return false;
    }

    /// <summary>Commits the waiting deliveries, a batch per round trip, until none is left.</summary>
    private async Task CommitLoopAsync()
    {
        var batch = new List<Delivery>();

        // One plan per loop, reset for each call: its tables and buffers are kept, so a call allocates only its arguments. A loop
        // that ends hands its plan to the next one (an idle worker starts a loop per delivery).
        var plan = Interlocked.Exchange(ref _sparePlan, null) ?? new WebhookAcceptCall();
        while (true)
        {
            TakeBatch(batch);
            if (batch.Count == 0)
            {
                _sparePlan = plan;
                LoopIdle?.Invoke();
                Interlocked.Decrement(ref _loops);

                // A delivery queued after the last take, when every loop was still counted, started none: take it now.
                if (_waiting.IsEmpty || !TryStartLoop())
                {
                    return;
                }

                // Counted again: the plan handed over may already be another loop's, so this one takes a plan anew.
                plan = Interlocked.Exchange(ref _sparePlan, null) ?? new WebhookAcceptCall();
                continue;
            }

            try
            {
                var answers = await AcceptTogetherAsync(batch, plan);
                for (var d = 0; d < batch.Count; d++)
                {
                    batch[d].Result.TrySetResult(answers[d]);
                }
            }
            catch (Exception ex)
            {
                foreach (var delivery in batch)
                {
                    delivery.Result.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>The longest run of waiting deliveries with the first one's reason and TTL, within <see cref="MaxEventsPerCall"/>.</summary>
    private void TakeBatch(List<Delivery> batch)
    {
        var events = 0;
        lock (_take)
        {
            while (_waiting.TryPeek(out var next))
            {
                if (batch.Count > 0
                    && (next.Reason != batch[0].Reason || next.DedupeTtl != batch[0].DedupeTtl || events + next.Events.Count > MaxEventsPerCall))
                {
                    return;
                }

                // Loops take under the lock, so the delivery peeked is the one taken.
                _waiting.TryDequeue(out _);
                batch.Add(next);
                events += next.Events.Count;
            }
        }
    }

    /// <summary>What Redis stores for a dedupe key: its 128-bit XxHash, 16 big-endian bytes.</summary>
    internal static byte[] Field(string dedupeKey) => Field(InboxEvent.IdOf(dedupeKey));

    private static byte[] Field(UInt128 dedupeId)
    {
        var field = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(field, dedupeId);
        return field;
    }

    /// <summary>One caller's delivery, waiting for the script that carries it.</summary>
    internal sealed class Delivery(IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl)
    {
        public IReadOnlyList<InboxEvent> Events { get; } = events;

        public WorkReason Reason { get; } = reason;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        public TimeSpan DedupeTtl { get; } = dedupeTtl;

        /// <summary>The caller's span (a webhook's intake), taken on the caller's thread: the script runs from another.</summary>
        public string? TraceParent { get; } = WorkItem.CurrentTraceParent();

        public TaskCompletionSource<IReadOnlyList<bool>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
