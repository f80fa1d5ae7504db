using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>Dedupe keys as <c>SET key 1 NX PX ttl</c>, all keys of a call in one pipelined round trip.</summary>
internal sealed class RedisDedupeStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IDedupeStore
{
    private readonly RedisKeys _keys = new(options.Value);

    public async Task<IReadOnlyList<bool>> TryMarkAsync(IReadOnlyList<string> keys, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        if (keys.Count == 0)
        {
            return [];
        }

        return await RedisFailures.GuardAsync(
            "dedupe",
            async () =>
            {
                var batch = redis.GetDatabase().CreateBatch();
                var sets = new Task<bool>[keys.Count];
                for (var i = 0; i < keys.Count; i++)
                {
                    sets[i] = batch.StringSetAsync(_keys.Dedupe(keys[i]), 1, ttl, When.NotExists);
                }

                batch.Execute();
                return (IReadOnlyList<bool>)await Task.WhenAll(sets);
            },
            cancellationToken);
    }

    public Task ForgetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return Task.CompletedTask;
        }

        var redisKeys = keys.Select(_keys.Dedupe).ToArray();
        return RedisFailures.GuardAsync("dedupe forget", () => redis.GetDatabase().KeyDeleteAsync(redisKeys), cancellationToken);
    }

    public async Task<IReadOnlyList<bool>> ContainsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        return await RedisFailures.GuardAsync(
            "dedupe check",
            async () =>
            {
                var batch = redis.GetDatabase().CreateBatch();
                var exists = new Task<bool>[keys.Count];
                for (var i = 0; i < keys.Count; i++)
                {
                    exists[i] = batch.KeyExistsAsync(_keys.Dedupe(keys[i]));
                }

                batch.Execute();
                return (IReadOnlyList<bool>)await Task.WhenAll(exists);
            },
            cancellationToken);
    }
}
