namespace HubSyncWorker.Storage;

/// <summary>Why a contact was put on the work queue (kept for metrics and logs).</summary>
public enum WorkReason
{
    Webhook,
    IncrementalSync,
    Manual,
}

/// <summary>A request to re-evaluate one contact.</summary>
/// <param name="ContactId">The HubSpot record id (hs_object_id).</param>
/// <param name="Reason">What put it on the queue.</param>
/// <param name="EnqueuedAt">When it was first queued (for the age-of-oldest-entry metric and latency).</param>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the span that queued it (a webhook's intake), so the consumer's spans join that trace; null when
/// nothing was traced or the entry predates it.
/// </param>
public sealed record WorkItem(string ContactId, WorkReason Reason, DateTimeOffset EnqueuedAt, string? TraceParent = null)
{
    /// <summary>The W3C <c>traceparent</c> of the current span, to carry in a queue entry; null when there is none.</summary>
    public static string? CurrentTraceParent() =>
        System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } span ? span.Id : null;
}

/// <summary>A work item handed to one consumer; it stays pending (and reclaimable) until acknowledged.</summary>
/// <param name="EntryId">The queue's own id of the entry (a Redis stream id for the Redis queue).</param>
/// <param name="Item">The work item.</param>
/// <param name="DeliveryCount">How many times the entry was handed out, this time included.</param>
public sealed record LeasedWorkItem(string EntryId, WorkItem Item, long DeliveryCount);

/// <summary>Depth and age of the queue, for metrics and the admin endpoint.</summary>
public sealed record WorkQueueStats(long Pending, long Unacknowledged, TimeSpan? OldestAge);

/// <summary>
/// The durable queue of contacts to evaluate, shared by all replicas (a Redis Stream with a consumer group in production).
/// </summary>
public interface IWorkQueue
{
    /// <summary>
    /// Queues the items durably: when the returned task completes the items survive a crash of this process.
    /// A contact already waiting (queued but not yet handed to a consumer) is coalesced: it is not queued twice.
    /// Throws <see cref="StorageUnavailableException"/> when the store cannot be reached.
    /// </summary>
    Task EnqueueAsync(IReadOnlyCollection<WorkItem> items, CancellationToken cancellationToken);

    /// <summary>
    /// Hands about <paramref name="maxCount"/> items to <paramref name="consumer"/>, waiting up to <paramref name="wait"/> when none is queued.
    /// Items come in whole entries: an entry holding several contacts (the Redis webhook inbox writes such) is handed out whole, so a
    /// read may hold a few more items than asked for, and its items share the entry id (acknowledged together).
    /// Items a crashed consumer left unacknowledged for longer than the configured idle time are reclaimed first.
    /// Once an item is handed out, a new enqueue of the same contact is queued again (the change may postdate the read).
    /// </summary>
    Task<IReadOnlyList<LeasedWorkItem>> ReadAsync(string consumer, int maxCount, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Marks the items done; they are never handed out again.</summary>
    Task AcknowledgeAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken);

    /// <summary>
    /// Says that <paramref name="consumer"/> is still working on the items: their claim idle time starts again, so no other replica
    /// reclaims them while a long batch runs (HubSpot's retries during a 429 or 5xx storm can take minutes). The delivery count is
    /// unchanged; items acknowledged or released meanwhile are left alone.
    /// </summary>
    Task ExtendAsync(string consumer, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the items back after a failure that is not theirs (HubSpot or the store unavailable, HubSpot's limits, a shutdown
    /// part-way): they are handed out again by a later read, first among the waiting ones or after them, and the failed delivery does not
    /// count towards dead-lettering, however long the outage lasts. An item acknowledged or released meanwhile (another replica
    /// reclaimed it) is left alone. Items whose entry holds several contacts are released with their whole entry.
    /// </summary>
    Task ReleaseAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken);

    /// <summary>Depth and age of the queue.</summary>
    Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken);
}
