using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// A lease lock: <c>SET NX PX</c> with a random owner, plus a fencing token from an INCR counter per lock name taken in the same
/// script. The key holds <c>{fencingToken}:{owner}</c>; renew, check and release compare that whole value, so only the holder can act
/// and a holder whose lease expired and was re-taken sees false.
/// </summary>
internal sealed class RedisDistributedLock(
    IConnectionMultiplexer redis,
    IOptions<RedisOptions> options,
    ILogger<RedisDistributedLock> logger) : IDistributedLock
{
    private readonly IConnectionMultiplexer _redis = redis;
    private readonly ILogger _logger = logger;
    private readonly RedisKeys _keys = new(options.Value);

    public async Task<ILockLease?> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var owner = Guid.NewGuid().ToString("N");
        var result = await RedisFailures.GuardAsync(
            "lock acquire",
            () => _redis.GetDatabase().ScriptEvaluateAsync(
                RedisScripts.LockAcquire, [_keys.Lock(name), _keys.LockFencing(name)], [owner, (long)ttl.TotalMilliseconds]),
            cancellationToken);
        if (result.IsNull)
        {
            return null;
        }

        var token = (long)result;
        return new Lease(this, name, token, token.ToString(CultureInfo.InvariantCulture) + ":" + owner, ttl);
    }

    private sealed class Lease(RedisDistributedLock owner, string name, long fencingToken, string value, TimeSpan ttl) : ILockLease
    {
        private int _released;

        public string Name => name;

        public long FencingToken => fencingToken;

        public async Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            var result = await RedisFailures.GuardAsync(
                "lock renew",
                () => owner._redis.GetDatabase().ScriptEvaluateAsync(
                    RedisScripts.LockRenew, [owner._keys.Lock(name)], [value, (long)ttl.TotalMilliseconds]),
                cancellationToken);
            return (long)result == 1;
        }

        public async Task<bool> IsStillHeldAsync(CancellationToken cancellationToken)
        {
            var current = await RedisFailures.GuardAsync(
                "lock check", () => owner._redis.GetDatabase().StringGetAsync(owner._keys.Lock(name)), cancellationToken);
            return current == value;
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
            {
                return;
            }

            try
            {
                await RedisFailures.GuardAsync(
                    "lock release",
                    () => owner._redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.LockRelease, [owner._keys.Lock(name)], [value]),
                    CancellationToken.None);
            }
            catch (StorageUnavailableException ex)
            {
                // Releasing is a courtesy: the lease runs out on its own.
                Log.LockReleaseFailed(owner._logger, ex, name, fencingToken);
            }
        }
    }
}
