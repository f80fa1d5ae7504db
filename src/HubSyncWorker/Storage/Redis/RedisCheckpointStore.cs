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
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.CheckpointFencedSet, [_keys.Checkpoint(name), _keys.Lock(holder.Name)], [TokenPrefix(holder), value]),
            cancellationToken);
        return (long)result == 1;
    }

    public async Task<bool> TryDeleteAsync(string name, ILockLease holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(holder);
        var result = await RedisFailures.GuardAsync(
            "checkpoint delete",
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.CheckpointFencedDelete, [_keys.Checkpoint(name), _keys.Lock(holder.Name)], [TokenPrefix(holder)]),
            cancellationToken);
        return (long)result == 1;
    }

    private static string TokenPrefix(ILockLease holder) => holder.FencingToken.ToString(CultureInfo.InvariantCulture) + ":";
}
