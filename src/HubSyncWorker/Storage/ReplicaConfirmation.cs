using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage;

/// <summary>
/// Waits, when <see cref="RedisOptions.WaitForReplicas"/> asks for it, until that many Redis replicas hold every write this process
/// made so far (Redis <c>WAIT</c>), so work a webhook delivery queued survives a failover that loses the primary before it
/// replicated. Without it (the default) a delivery answered 200 can be lost with the primary. Logs when confirmations start
/// failing and when they work again, never once per delivery.
/// </summary>
internal sealed class ReplicaConfirmation(IOptions<RedisOptions> options, ILogger<ReplicaConfirmation> logger, IConnectionMultiplexer? redis = null)
{
    private int _failing;

    /// <summary>True when no confirmation is asked for, or when enough replicas confirmed within the timeout.</summary>
    /// <exception cref="StorageUnavailableException">Redis cannot be reached.</exception>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.WaitForReplicas == 0 || redis is null)
        {
            return true;
        }

        // WAIT covers the writes sent before it on this connection: the multiplexer's one interactive connection carried the
        // delivery's script. It holds that connection while it waits, hence the short bounded timeout.
        var confirmed = await RedisFailures.GuardAsync(
            "wait for replicas",
            () => redis.GetDatabase().ExecuteAsync("WAIT", settings.WaitForReplicas, (long)settings.WaitForReplicasTimeout.TotalMilliseconds),
            cancellationToken);
        var enough = (long)confirmed >= settings.WaitForReplicas;
        if (!enough && Interlocked.Exchange(ref _failing, 1) == 0)
        {
            RedisSafetyLog.ReplicasNotConfirmed(logger, (long)confirmed, settings.WaitForReplicas, settings.WaitForReplicasTimeout);
        }
        else if (enough && Interlocked.Exchange(ref _failing, 0) == 1)
        {
            RedisSafetyLog.ReplicasConfirmedAgain(logger, settings.WaitForReplicas);
        }

        return enough;
    }
}
