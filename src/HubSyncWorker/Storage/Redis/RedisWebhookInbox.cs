using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The webhook inbox in Redis: one script per delivery checks each event's dedupe key, queues the new events' contacts on the
/// work-queue stream (coalesced through the same waiting markers as <see cref="RedisWorkQueue"/>) and marks the events, in one
/// round trip. Being one script, it is atomic: two replicas handed the same retry at once queue it once.
/// </summary>
internal sealed class RedisWebhookInbox(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWebhookInbox
{
    // KEYS[1] = stream; ARGV[1] = dedupe key prefix, ARGV[2] = dedupe TTL ms, ARGV[3] = waiting-marker prefix, ARGV[4] = marker TTL ms,
    // ARGV[5] = reason, ARGV[6] = enqueued-at ms, ARGV[7] = a nonce unique to this call, then (dedupe key, contact id or '') per event.
    // Returns 1 (new) or 0 (duplicate) per event. Per event: SET NX the key, then queue the contact; should the enqueue fail (Redis
    // out of memory), the key is deleted again and the error returned, so the events not yet queued are processed on HubSpot's retry.
    // Three commands per new event (SET NX, marker SET NX, XADD), one per duplicate.
    private const string AcceptScript = RedisWorkQueue.EnqueueFunction + """
        local out = {}
        for i = 8, #ARGV, 2 do
          local key = ARGV[1] .. ARGV[i]
          if redis.call('SET', key, '1', 'NX', 'PX', ARGV[2]) then
            local contact = ARGV[i + 1]
            if contact ~= '' then
              local err = enqueue(KEYS[1], ARGV[3] .. contact, ARGV[4], ARGV[7] .. ':' .. i, contact, ARGV[5], ARGV[6])
              if err then
                redis.call('DEL', key)
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

    private const int FixedArguments = 7;

    private readonly RedisKey[] _streamKey = [new RedisKeys(options.Value).Stream];
    private readonly RedisValue _dedupePrefix = new RedisKeys(options.Value).DedupePrefix;
    private readonly RedisValue _markerPrefix = new RedisKeys(options.Value).WaitingMarkerPrefix;
    private readonly RedisValue _markerTtl = (long)options.Value.CoalesceTtl.TotalMilliseconds;

    public async Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dedupeTtl, TimeSpan.Zero);
        if (events.Count == 0)
        {
            return [];
        }

        var values = new RedisValue[FixedArguments + (events.Count * 2)];
        values[0] = _dedupePrefix;
        values[1] = (long)dedupeTtl.TotalMilliseconds;
        values[2] = _markerPrefix;
        values[3] = _markerTtl;
        values[4] = ReasonName(reason);
        values[5] = enqueuedAt.ToUnixTimeMilliseconds();
        values[6] = RedisWorkQueue.NewNonce();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            ArgumentException.ThrowIfNullOrEmpty(e.DedupeKey, nameof(events));
            values[FixedArguments + (i * 2)] = e.DedupeKey;
            values[FixedArguments + (i * 2) + 1] = e.ContactId ?? string.Empty;
        }

        var result = await RedisFailures.GuardAsync(
            "webhook accept",
            () => redis.GetDatabase().ScriptEvaluateAsync(AcceptScript, _streamKey, values),
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
