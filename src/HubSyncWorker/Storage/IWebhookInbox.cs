namespace HubSyncWorker.Storage;

/// <summary>One verified webhook event as the inbox sees it.</summary>
/// <param name="DedupeId">The event's identity across HubSpot's retries: the 128-bit XxHash of its key's UTF-8 text (<see cref="IdOf"/>).</param>
/// <param name="ContactId">The contact to queue for evaluation when the event is new, or null when it queues nothing.</param>
/// <param name="OccurredAt">
/// When the event happened (HubSpot's <c>occurredAt</c>, the same on every retry): the Redis inbox files the key under that hour,
/// so keys are hash fields expiring by the hour instead of one expiring key each. Null: the key is stored on its own.
/// </param>
public readonly record struct InboxEvent(UInt128 DedupeId, string? ContactId, DateTimeOffset? OccurredAt = null)
{
    /// <summary>An event identified by its key's text.</summary>
    public InboxEvent(string dedupeKey, string? contactId, DateTimeOffset? occurredAt = null)
        : this(IdOf(dedupeKey), contactId, occurredAt)
    {
    }

    /// <summary>The identity of a dedupe key: the 128-bit XxHash of its UTF-8 text (what Redis stores, as 16 big-endian bytes).</summary>
    public static UInt128 IdOf(string dedupeKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupeKey);
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(dedupeKey.Length);
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        return System.IO.Hashing.XxHash128.HashToUInt128(buffer[..System.Text.Encoding.UTF8.GetBytes(dedupeKey, buffer)]);
    }
}

/// <summary>
/// Where verified webhook events become durable work: the duplicate check, the enqueue and the dedupe mark of a whole delivery
/// as one step (one atomic script in Redis, which may carry other deliveries arriving at the same time).
/// </summary>
public interface IWebhookInbox
{
    /// <summary>
    /// For each event, in order, returns true when it was new: then its contact (if any) is on the work queue (once for the
    /// delivery, however many of its events name it), and its key is remembered for <paramref name="dedupeTtl"/>. A duplicate returns
    /// false and queues nothing. An event is marked only once its work is queued, so when the call throws
    /// <see cref="StorageUnavailableException"/>, HubSpot's retry of the delivery is processed, not dropped.
    /// </summary>
    /// <param name="events">The events of one delivery, keys distinct.</param>
    /// <param name="reason">Recorded on the queued items.</param>
    /// <param name="enqueuedAt">When the delivery arrived (recorded on the queued items).</param>
    /// <param name="dedupeTtl">How long a key is remembered: longer than HubSpot's retry window.</param>
    /// <param name="cancellationToken">
    /// Checked when the call starts; once the events are handed to the store, the call completes with its answer (within the
    /// store's timeouts).
    /// </param>
    Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken);
}
