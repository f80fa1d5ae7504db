using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>Named checkpoints as plain string keys without expiry.</summary>
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

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisFailures.GuardAsync(
            "checkpoint delete", () => redis.GetDatabase().KeyDeleteAsync(_keys.Checkpoint(name)), cancellationToken);
    }
}
