using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// Named checkpoints as plain string keys without expiry. A checkpoint a lock guards is written and deleted by a script that first
/// compares the lock's value with the writer's fencing token: a holder paused past its lease cannot move the cursor of the run
/// that took over (a separate check before the write would leave that window open).
/// </summary>
internal sealed class RedisCheckpointStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : ICheckpointStore
{
    // The lock's value is "{fencingToken}:{owner}" (RedisDistributedLock), and tokens are never reused: the prefix identifies the lease.
    // KEYS[1] = checkpoint, KEYS[2] = lock; ARGV[1] = "{fencingToken}:", ARGV[2] = value. Returns 1 when written, 0 when refused.
    private const string FencedSetScript = """
        local held = redis.call('GET', KEYS[2])
        if not held or string.sub(held, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2])
        return 1
        """;

    // KEYS[1] = checkpoint, KEYS[2] = lock; ARGV[1] = "{fencingToken}:". Returns 1 when deleted (or already gone), 0 when refused.
    private const string FencedDeleteScript = """
        local held = redis.call('GET', KEYS[2])
        if not held or string.sub(held, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """;

    private readonly RedisKeys _keys = new(options.Value);

    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = await RedisFailures.GuardAsync(
            "checkpoint get", () => redis.GetDatabase().StringGetAsync(_keys.Checkpoint(name)), cancellationToken);
        return value.HasValue ? (string?)value : null;
    }

    public Task SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        return RedisFailures.GuardAsync(
            "checkpoint set", () => redis.GetDatabase().StringSetAsync(_keys.Checkpoint(name), value), cancellationToken);
    }

    public async Task<bool> TrySetAsync(string name, string value, ILockLease holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(holder);
        var result = await RedisFailures.GuardAsync(
            "checkpoint set",
            () => redis.GetDatabase().ScriptEvaluateAsync(FencedSetScript, [_keys.Checkpoint(name), _keys.Lock(holder.Name)], [TokenPrefix(holder), value]),
            cancellationToken);
        return (long)result == 1;
    }

    public async Task<bool> TryDeleteAsync(string name, ILockLease holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(holder);
        var result = await RedisFailures.GuardAsync(
            "checkpoint delete",
            () => redis.GetDatabase().ScriptEvaluateAsync(FencedDeleteScript, [_keys.Checkpoint(name), _keys.Lock(holder.Name)], [TokenPrefix(holder)]),
            cancellationToken);
        return (long)result == 1;
    }

    private static string TokenPrefix(ILockLease holder) => holder.FencingToken.ToString(CultureInfo.InvariantCulture) + ":";
}
