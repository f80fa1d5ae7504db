using System.Security.Cryptography;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The work queue as a Redis Stream read through one consumer group by every replica.
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
    /// <summary>
    /// The Lua function that queues one contact. The waiting hash maps each contact waiting in the stream to its entry's token
    /// (<c>{ms}-{nonce}-{n}</c>, also stored in the entry as field <c>m</c>): a contact already waiting is coalesced, unless its
    /// marker is older than the coalesce TTL (its entry was lost, e.g. the stream deleted by hand), then it is queued again.
    /// Two commands per queued contact (HSETNX, XADD), hash fields rather than keys with their own expiry: cheap for Redis.
    /// Should the XADD fail (Redis out of memory), the marker is removed again and the error returned, so the contact is not
    /// coalesced into an entry that does not exist. Shared by <see cref="EnqueueScript"/> and the webhook inbox's script.
    /// </summary>
    internal const string EnqueueFunction = """
        local function enqueue(stream, waiting, ttl, now, token, contact, reason, at)
          if redis.call('HSETNX', waiting, contact, token) == 0 then
            local since = tonumber(string.match(redis.call('HGET', waiting, contact) or '', '^(%d+)-'))
            if since and now - since < ttl then return nil end
            redis.call('HSET', waiting, contact, token)
          end
          local added = redis.pcall('XADD', stream, '*', 'c', contact, 'r', reason, 't', at, 'm', token)
          if type(added) == 'table' and added.err then
            redis.call('HDEL', waiting, contact)
            return added
          end
          return nil
        end

        """;

    // KEYS[1] = stream, KEYS[2] = waiting hash; ARGV[1] = coalesce TTL ms, ARGV[2] = now ms, ARGV[3] = a nonce unique to this call,
    // then (contactId, reason, enqueuedAtMs) per item. The marker check and the XADD run in one script, so two replicas enqueuing
    // the same contact at once still add one entry.
    private const string EnqueueScript = EnqueueFunction + """
        local ttl, now = tonumber(ARGV[1]), tonumber(ARGV[2])
        local n = 0
        for j = 4, #ARGV, 3 do
          local err = enqueue(KEYS[1], KEYS[2], ttl, now, ARGV[2] .. '-' .. ARGV[3] .. '-' .. j, ARGV[j], ARGV[j + 1], ARGV[j + 2])
          if err then return err end
          n = n + 1
        end
        return n
        """;

    // KEYS[1] = stream, KEYS[2] = waiting hash; ARGV = group, consumer, min idle ms, count, legacy waiting-marker key prefix.
    // Reclaims entries idle too long (their consumer is presumed dead), then reads new ones, until the entries hold `count` contacts
    // (an entry of the webhook inbox holds several, one `c` field each, or comma-separated in one `cs` field when
    // Redis:CompactWebhookEntries is on: entries are taken one at a time so a read never holds many more contacts than asked for). It removes the waiting marker of each single-contact entry handed out (the marker holds the
    // entry's token, field m; entries of older versions have none, and their marker is a key of its own holding the entry id), all
    // atomically: a change enqueued after this read is queued again, one enqueued before is covered by it.
    private const string ReadScript = """
        local stream, group, consumer, idle = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
        local count, prefix = tonumber(ARGV[4]), ARGV[5]
        local out, taken = {}, 0
        local function contacts(fields)
          local n = 0
          for i = 1, #fields, 2 do
            if fields[i] == 'c' then
              n = n + 1
            elseif fields[i] == 'cs' then
              n = n + select(2, string.gsub(fields[i + 1], ',', ',')) + 1
            end
          end
          return math.max(n, 1)
        end
        for _, p in ipairs(redis.call('XPENDING', stream, group, 'IDLE', idle, '-', '+', count)) do
          if taken >= count then break end
          local e = redis.call('XCLAIM', stream, group, consumer, idle, p[1])[1]
          if e then
            out[#out + 1] = {e[1], e[2], p[4] + 1}
            taken = taken + contacts(e[2])
          end
        end
        while taken < count do
          local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', stream, '>')
          if not r then break end
          local e = r[1][2][1]
          out[#out + 1] = {e[1], e[2], 1}
          taken = taken + contacts(e[2])
        end
        for _, o in ipairs(out) do
          local fields = o[2]
          local contact, token, n = nil, o[1], 0
          for i = 1, #fields, 2 do
            if fields[i] == 'c' then
              contact, n = fields[i + 1], n + 1
            elseif fields[i] == 'm' then
              token = fields[i + 1]
            end
          end
          if n == 1 then
            if redis.call('HGET', KEYS[2], contact) == token then
              redis.call('HDEL', KEYS[2], contact)
            elseif redis.call('GET', prefix .. contact) == token then
              redis.call('DEL', prefix .. contact)
            end
          end
        end
        return out
        """;

    // KEYS[1] = stream; ARGV[1] = group, ARGV[2..] = entry ids.
    private const string AcknowledgeScript = """
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
        return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
        """;

    // KEYS[1] = stream; ARGV[1] = group, ARGV[2..] = entry ids. Each entry still pending (not acknowledged or released by a replica
    // that reclaimed it) is added again as a new entry with the same fields (its contacts, reason and first enqueue time), then the
    // old one acknowledged and deleted: the new entry starts with no delivery counted. The copy is added first, so an XADD refused
    // (Redis out of memory) leaves that entry pending as it was, to be reclaimed later.
    private const string ReleaseScript = """
        local n = 0
        for i = 2, #ARGV do
          local id = ARGV[i]
          local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)[1]
          local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
          if pending and entry then
            redis.call('XADD', KEYS[1], '*', unpack(entry[2]))
            redis.call('XACK', KEYS[1], ARGV[1], id)
            redis.call('XDEL', KEYS[1], id)
            n = n + 1
          end
        end
        return n
        """;

    // KEYS[1] = stream; ARGV[1] = group. One snapshot: length, unacknowledged count, server time (ms), oldest entry id.
    private const string StatsScript = """
        local len = redis.call('XLEN', KEYS[1])
        local unacked = 0
        local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
        if type(p) == 'table' and not p.err then unacked = p[1] end
        local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
        local t = redis.call('TIME')
        local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local oldestId = ''
        if oldest[1] then oldestId = oldest[1][1] end
        return {len, unacked, nowMs, oldestId}
        """;

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

        var values = new RedisValue[(items.Count * 3) + 3];
        values[0] = (long)_options.CoalesceTtl.TotalMilliseconds;
        values[1] = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        values[2] = NewNonce();
        var i = 3;
        foreach (var item in items)
        {
            values[i++] = item.ContactId;
            values[i++] = item.Reason.ToString();
            values[i++] = item.EnqueuedAt.ToUnixTimeMilliseconds();
        }

        return RedisFailures.GuardAsync(
            "enqueue",
            () => redis.GetDatabase().ScriptEvaluateAsync(EnqueueScript, [_keys.Stream, _keys.Waiting], values),
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
        EvaluateOnEntriesAsync("acknowledge", AcknowledgeScript, items, cancellationToken);

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
        EvaluateOnEntriesAsync("release", ReleaseScript, items, cancellationToken);

    public async Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var result = await RedisFailures.GuardAsync(
            "queue stats",
            () => redis.GetDatabase().ScriptEvaluateAsync(StatsScript, [_keys.Stream], [_options.ConsumerGroup]),
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
            var count = leased.Count;
            Parse(parts[1], item => leased.Add(new LeasedWorkItem(entryId, item, deliveries)));
            if (leased.Count == count)
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
                ReadScript,
                [_keys.Stream, _keys.Waiting],
                [
                    _options.ConsumerGroup,
                    consumer,
                    (long)_options.ClaimIdleTime.TotalMilliseconds,
                    maxCount,
                    _keys.WaitingMarkerPrefix,
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

    /// <summary>
    /// Hands <paramref name="add"/> one work item per contact of an entry (a <c>c</c> field each, or comma-separated in a <c>cs</c>
    /// field, as the webhook inbox writes them with <see cref="RedisOptions.CompactWebhookEntries"/>); none when the entry is unreadable.
    /// An optional <c>tp</c> field is the W3C traceparent of the span that queued the entry (absent in entries of earlier versions).
    /// </summary>
    private static void Parse(RedisResult fields, Action<WorkItem> add)
    {
        var values = (RedisResult[])fields!;
        var reason = WorkReason.Manual;
        long? enqueuedAtMs = null;
        string? traceParent = null;
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            var value = (string?)values[i + 1];
            switch ((string?)values[i])
            {
                case "r":
                    _ = Enum.TryParse(value, out reason);
                    break;
                case "t" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms):
                    enqueuedAtMs = ms;
                    break;
                case "tp" when !string.IsNullOrEmpty(value):
                    traceParent = value;
                    break;
            }
        }

        if (enqueuedAtMs is null)
        {
            return;
        }

        var enqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(enqueuedAtMs.Value);
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            switch ((string?)values[i])
            {
                case "c" when (string?)values[i + 1] is { Length: > 0 } contactId:
                    add(new WorkItem(contactId, reason, enqueuedAt, traceParent));
                    break;
                case "cs" when (string?)values[i + 1] is { Length: > 0 } contactIds:
                    foreach (var range in contactIds.AsSpan().Split(','))
                    {
                        if (range.End.Value > range.Start.Value)
                        {
                            add(new WorkItem(contactIds[range], reason, enqueuedAt, traceParent));
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>A value no other enqueue call uses: with the item's position, it makes each entry's marker token unique.</summary>
    internal static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>A stream id is <c>{unix ms}-{sequence}</c>, stamped by the server's clock when the entry was added.</summary>
    internal static long StreamIdMilliseconds(string entryId)
    {
        var dash = entryId.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? entryId : entryId[..dash], NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
