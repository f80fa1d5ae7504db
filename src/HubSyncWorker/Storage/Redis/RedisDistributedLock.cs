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
    // KEYS[1] = lock, KEYS[2] = fencing counter; ARGV[1] = owner, ARGV[2] = ttl ms. Returns the fencing token, or nil when held.
    private const string AcquireScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return false end
        local token = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
        return token
        """;

    // KEYS[1] = lock; ARGV[1] = expected value, ARGV[2] = ttl ms.
    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    // KEYS[1] = lock; ARGV[1] = expected value.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

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
                AcquireScript, [_keys.Lock(name), _keys.LockFencing(name)], [owner, (long)ttl.TotalMilliseconds]),
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
                    RenewScript, [owner._keys.Lock(name)], [value, (long)ttl.TotalMilliseconds]),
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
                    () => owner._redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [owner._keys.Lock(name)], [value]),
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
