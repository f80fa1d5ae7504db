using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The webhook inbox in Redis: one script per delivery checks each event's dedupe key, queues the new events' contacts on the
/// work-queue stream (coalesced through the same waiting markers as <see cref="RedisWorkQueue"/>) and marks the events, in one
/// round trip. Being one script, it is atomic: two replicas handed the same retry at once queue it once.
/// <para>
/// Keys are filed by the hour the event occurred (<c>{prefix}dedupe:hour:{n}</c>, a hash whose fields are the keys), and each hour
/// expires the dedupe TTL after it ends (or after now, for an event older than that): a retry carries the
/// same <c>occurredAt</c>, so it finds its key, and a field costs Redis far less memory and time than a key with its own expiry.
/// An event without a time gets its own key (<c>{prefix}dedupe:{key}</c>) with the TTL.
/// </para>
/// </summary>
internal sealed class RedisWebhookInbox(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWebhookInbox
{
    private const long HourMs = 3_600_000;

    // KEYS[1] = stream, KEYS[2] = waiting hash; ARGV[1] = dedupe key prefix, ARGV[2] = dedupe TTL ms, ARGV[3] = coalesce TTL ms,
    // ARGV[4] = reason, ARGV[5] = now (enqueued-at) ms, ARGV[6] = a nonce unique to this call, then per event (dedupe key, contact id
    // or '', hour number or ''). Returns 1 (new) or 0 (duplicate) per event. Per event: add the key, then queue the contact; should
    // the enqueue fail (Redis out of memory), the key is removed again and the error returned, so the events not yet queued are
    // processed on HubSpot's retry. An hour's expiry is set when its first new key of the call is added, before anything can fail.
    private const string AcceptScript = RedisWorkQueue.EnqueueFunction + """
        local prefix, ttl, coalesce, reason, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
        local tokens = ARGV[5] .. '-' .. ARGV[6] .. '-'
        local expiring = {}
        local out = {}
        for i = 7, #ARGV, 3 do
          local field, contact, hour = ARGV[i], ARGV[i + 1], ARGV[i + 2]
          local hash, fresh = nil, false
          if hour ~= '' then
            hash = prefix .. 'hour:' .. hour
            fresh = redis.call('HSETNX', hash, field, '1') == 1
            if fresh and not expiring[hour] then
              expiring[hour] = true
              redis.call('PEXPIREAT', hash, string.format('%d', math.max((tonumber(hour) + 1) * 3600000, now) + ttl))
            end
          else
            fresh = redis.call('SET', prefix .. field, '1', 'NX', 'PX', ttl) ~= false
          end
          if fresh then
            if contact ~= '' then
              local err = enqueue(KEYS[1], KEYS[2], coalesce, now, tokens .. i, contact, reason, ARGV[5])
              if err then
                if hash then redis.call('HDEL', hash, field) else redis.call('DEL', prefix .. field) end
                return err
              end
            end
            out[#out + 1] = 1
          else
            out[#out + 1] = 0
          end
        end
        return out
        """;

    private const int FixedArguments = 6;

    private readonly RedisKey[] _keys = [new RedisKeys(options.Value).Stream, new RedisKeys(options.Value).Waiting];
    private readonly RedisValue _dedupePrefix = new RedisKeys(options.Value).DedupePrefix;
    private readonly RedisValue _coalesceTtl = (long)options.Value.CoalesceTtl.TotalMilliseconds;

    public async Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dedupeTtl, TimeSpan.Zero);
        if (events.Count == 0)
        {
            return [];
        }

        var values = new RedisValue[FixedArguments + (events.Count * 3)];
        values[0] = _dedupePrefix;
        values[1] = (long)dedupeTtl.TotalMilliseconds;
        values[2] = _coalesceTtl;
        values[3] = ReasonName(reason);
        values[4] = enqueuedAt.ToUnixTimeMilliseconds();
        values[5] = RedisWorkQueue.NewNonce();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            ArgumentException.ThrowIfNullOrEmpty(e.DedupeKey, nameof(events));
            values[FixedArguments + (i * 3)] = e.DedupeKey;
            values[FixedArguments + (i * 3) + 1] = e.ContactId ?? string.Empty;
            values[FixedArguments + (i * 3) + 2] = e.OccurredAt is { } at && at.ToUnixTimeMilliseconds() >= 0
                ? at.ToUnixTimeMilliseconds() / HourMs
                : RedisValue.EmptyString;
        }

        var result = await RedisFailures.GuardAsync(
            "webhook accept",
            () => redis.GetDatabase().ScriptEvaluateAsync(AcceptScript, _keys, values),
            cancellationToken);
        var flags = (RedisResult[])result!;
        var isNew = new bool[flags.Length];
        for (var i = 0; i < flags.Length; i++)
        {
            isNew[i] = (long)flags[i] == 1;
        }

        return isNew;
    }

    // The queue reads the reason back with Enum.TryParse; names, not numbers, keep entries readable in redis-cli.
    private static string ReasonName(WorkReason reason) => reason switch
    {
        WorkReason.Webhook => nameof(WorkReason.Webhook),
        WorkReason.IncrementalSync => nameof(WorkReason.IncrementalSync),
        _ => nameof(WorkReason.Manual),
    };
}
