using System.Security.Cryptography;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The work queue as a Redis Stream read through one consumer group by every replica.
/// <para>
/// Entries have one format, <see cref="WorkQueueEntry"/>; the scripts are <c>Scripts/queue-*.lua</c>.
/// </para>
/// <para>
/// Entries are never trimmed by length: an acknowledged entry is deleted (XACK + XDEL in one script), so the stream holds exactly
/// the entries waiting plus those handed out and not yet acknowledged, and nothing unacknowledged can ever be dropped.
/// </para>
/// <para>
/// Waiting reads poll (every <see cref="RedisOptions.QueuePollInterval"/>) instead of using XREADGROUP BLOCK: a blocking command
/// would stall every other caller of the shared multiplexer, and a dedicated connection per reader is not worth it at these rates.
/// </para>
/// </summary>
internal sealed class RedisWorkQueue(
    IConnectionMultiplexer redis,
    IOptions<RedisOptions> options,
    TimeProvider timeProvider,
    ILogger<RedisWorkQueue> logger) : IWorkQueue
{
    private readonly RedisOptions _options = options.Value;
    private readonly RedisKeys _keys = new(options.Value);
    private readonly string _streamName = options.Value.KeyPrefix + options.Value.QueueStreamName;
    private volatile bool _groupReady;

    public Task EnqueueAsync(IReadOnlyCollection<WorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Arguments of Scripts/queue-enqueue.lua: per contact its id, its marker token, and its entry's other fields.
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var nonce = NewNonce();
        var values = new List<RedisValue>(4 + (items.Count * 7))
        {
            (long)_options.CoalesceTtl.TotalMilliseconds,
            now,
            WorkQueueEntry.ContactsField,
            WorkQueueEntry.MarkerField,
        };
        var n = 0;
        foreach (var item in items)
        {
            if (!WorkQueueEntry.IsListable(item.ContactId))
            {
                throw new ArgumentException($"Contact id '{item.ContactId}' is empty or holds a '{WorkQueueEntry.ContactSeparator}'.", nameof(items));
            }

            var metadata = WorkQueueEntry.Metadata(item.Reason, item.EnqueuedAt, item.TraceParent);
            values.Add(item.ContactId);
            values.Add(string.Create(CultureInfo.InvariantCulture, $"{now}-{nonce}-{n++}"));
            values.Add(metadata.Length);
            values.AddRange(metadata);
        }

        return RedisFailures.GuardAsync(
            "enqueue",
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.QueueEnqueue, [_keys.Stream, _keys.Waiting], [.. values]),
            cancellationToken);
    }

    public async Task<IReadOnlyList<LeasedWorkItem>> ReadAsync(string consumer, int maxCount, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var items = await ReadOnceAsync(consumer, maxCount, cancellationToken);
            var remaining = wait - timeProvider.GetElapsedTime(started);
            if (items.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return items;
            }

            var pause = remaining < _options.QueuePollInterval ? remaining : _options.QueuePollInterval;
            await Task.Delay(pause, timeProvider, cancellationToken);
        }
    }

    public Task AcknowledgeAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) =>
        EvaluateOnEntriesAsync("acknowledge", RedisScripts.QueueAcknowledge, items, cancellationToken);

    /// <summary>Runs <paramref name="script"/> with the group, then each entry id of <paramref name="items"/> once.</summary>
    private Task EvaluateOnEntriesAsync(string operation, string script, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        RedisValue[] values = [_options.ConsumerGroup, .. EntryIds(items)];
        return RedisFailures.GuardAsync(
            operation,
            () => redis.GetDatabase().ScriptEvaluateAsync(script, [_keys.Stream], values),
            cancellationToken);
    }

    /// <summary>Each entry id once: an entry of the webhook inbox is leased as one item per contact.</summary>
    private static List<RedisValue> EntryIds(IReadOnlyCollection<LeasedWorkItem> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<RedisValue>(items.Count);
        foreach (var item in items)
        {
            if (seen.Add(item.EntryId))
            {
                ids.Add(item.EntryId);
            }
        }

        return ids;
    }

    public Task ExtendAsync(string consumer, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        // XCLAIM with JUSTID and no minimum idle time: resets each pending entry's idle time without counting a delivery, and
        // skips entries no longer pending.
        RedisValue[] ids = [.. EntryIds(items)];
        return RedisFailures.GuardAsync(
            "extend",
            () => redis.GetDatabase().StreamClaimIdsOnlyAsync(_keys.Stream, _options.ConsumerGroup, consumer, 0, ids),
            cancellationToken);
    }

    public Task ReleaseAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) =>
        EvaluateOnEntriesAsync("release", RedisScripts.QueueRelease, items, cancellationToken);

    public async Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var result = await RedisFailures.GuardAsync(
            "queue stats",
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.QueueStats, [_keys.Stream], [_options.ConsumerGroup]),
            cancellationToken);
        var parts = (RedisResult[])result!;
        var length = (long)parts[0];
        var unacknowledged = (long)parts[1];
        var nowMs = (long)parts[2];
        var oldestId = (string?)parts[3];
        TimeSpan? oldestAge = string.IsNullOrEmpty(oldestId)
            ? null
            : TimeSpan.FromMilliseconds(Math.Max(0, nowMs - StreamIdMilliseconds(oldestId)));
        return new WorkQueueStats(Math.Max(0, length - unacknowledged), unacknowledged, oldestAge);
    }

    private async Task<IReadOnlyList<LeasedWorkItem>> ReadOnceAsync(string consumer, int maxCount, CancellationToken cancellationToken)
    {
        if (!_groupReady)
        {
            await EnsureGroupAsync(cancellationToken);
        }

        RedisResult result;
        try
        {
            result = await EvaluateReadAsync(consumer, maxCount, cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            // The stream or group vanished (a Redis restart without persistence, or a FLUSH): recreate and read again.
            await EnsureGroupAsync(cancellationToken);
            result = await EvaluateReadAsync(consumer, maxCount, cancellationToken);
        }

        var entries = (RedisResult[])result!;
        var leased = new List<LeasedWorkItem>(entries.Length);
        foreach (var entry in entries)
        {
            var parts = (RedisResult[])entry!;
            var entryId = (string)parts[0]!;
            var deliveries = (long)parts[2];
            if (WorkQueueEntry.TryParse((RedisResult[])parts[1]!, out var read))
            {
                foreach (var contactId in read.ContactIds)
                {
                    leased.Add(new LeasedWorkItem(entryId, new WorkItem(contactId, read.Reason, read.EnqueuedAt, read.TraceParent), deliveries));
                }
            }
            else
            {
                Log.UnreadableEntryDropped(logger, entryId);
                await AcknowledgeAsync([new LeasedWorkItem(entryId, new WorkItem("", WorkReason.Manual, default), 1)], cancellationToken);
            }
        }

        return leased;
    }

    private Task<RedisResult> EvaluateReadAsync(string consumer, int maxCount, CancellationToken cancellationToken) =>
        RedisFailures.GuardAsync(
            "read",
            () => redis.GetDatabase().ScriptEvaluateAsync(
                RedisScripts.QueueRead,
                [_keys.Stream, _keys.Waiting],
                [
                    _options.ConsumerGroup,
                    consumer,
                    (long)_options.ClaimIdleTime.TotalMilliseconds,
                    maxCount,
                    WorkQueueEntry.ContactsField,
                    WorkQueueEntry.MarkerField,
                ]),
            cancellationToken);

    private async Task EnsureGroupAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Position 0: entries queued before the group existed (e.g. by a replica that only enqueues) are delivered too.
            await RedisFailures.GuardAsync(
                "create consumer group",
                () => redis.GetDatabase().StreamCreateConsumerGroupAsync(_keys.Stream, _options.ConsumerGroup, StreamPosition.Beginning, createStream: true),
                cancellationToken);
            Log.ConsumerGroupCreated(logger, _options.ConsumerGroup, _streamName);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica created it first.
        }

        _groupReady = true;
    }

    /// <summary>A value no other enqueue call uses: with the item's position, it makes each entry's marker token unique.</summary>
    private static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>A stream id is <c>{unix ms}-{sequence}</c>, stamped by the server's clock when the entry was added.</summary>
    internal static long StreamIdMilliseconds(string entryId)
    {
        var dash = entryId.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? entryId : entryId[..dash], NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
