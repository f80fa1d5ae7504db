using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The key layout, in one place. Every key sits under <see cref="RedisOptions.KeyPrefix"/> (default <c>hubsync:</c>):
/// <list type="bullet">
/// <item><c>{prefix}{stream}</c> - the work-queue stream (default <c>hubsync:queue</c>) with consumer group <c>workers</c>;</item>
/// <item><c>{prefix}{stream}:waiting</c> - hash of the contacts waiting in the queue (coalescing), each with its entry's token;</item>
/// <item><c>{prefix}dedupe:hour:{n}</c> - the webhook events that occurred in hour n since the epoch (a hash of their keys), and
/// <c>{prefix}dedupe:{key}</c> - a remembered webhook event without a time;</item>
/// <item><c>{prefix}checkpoint:{name}</c> - a named checkpoint;</item>
/// <item><c>{prefix}lock:{name}</c> (value <c>{fencingToken}:{owner}</c>) and <c>{prefix}lock:{name}:fencing</c> (the INCR counter);</item>
/// <item><c>{prefix}deadletters</c> (capped list of JSON), <c>{prefix}deadletters:count</c>, and the per-contact index
/// <c>{prefix}deadletters:contacts</c>;</item>
/// <item><c>{prefix}ratelimit:{standard|search}</c> (sorted set of grants) and <c>{prefix}ratelimit:{kind}:pause</c>.</item>
/// </list>
/// Scripts compute the dedupe keys from the prefix, so Redis Cluster is not supported (single node or Sentinel).
/// </summary>
internal sealed class RedisKeys(RedisOptions options)
{
    private readonly string _prefix = options.KeyPrefix;

    public RedisKey Stream => _prefix + options.QueueStreamName;

    public RedisKey Waiting => _prefix + options.QueueStreamName + ":waiting";

    public string DedupePrefix => _prefix + "dedupe:";

    public RedisKey Dedupe(string key) => DedupePrefix + key;

    public RedisKey Checkpoint(string name) => _prefix + "checkpoint:" + name;

    public RedisKey Lock(string name) => _prefix + "lock:" + name;

    public RedisKey LockFencing(string name) => _prefix + "lock:" + name + ":fencing";

    public RedisKey DeadLetters => _prefix + "deadletters";

    public RedisKey DeadLetterCount => _prefix + "deadletters:count";

    /// <summary>Hash: contact id → its entries in <see cref="DeadLetters"/>.</summary>
    public RedisKey DeadLetterContacts => _prefix + "deadletters:contacts";

    public RedisKey RateWindow(string kind) => _prefix + "ratelimit:" + kind;

    public RedisKey RatePause(string kind) => _prefix + "ratelimit:" + kind + ":pause";
}
