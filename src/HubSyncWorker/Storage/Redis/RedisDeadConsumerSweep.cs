using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// Removes the queue group's consumers that are gone: consumer names default to host name and process id, so every pod restart
/// adds one, and the group's list (what <c>XINFO CONSUMERS</c> and dashboards show) grows without end. A consumer is removed only
/// when it holds no pending entry (removing one that does would strand its entries: nothing reclaims what no consumer holds) and
/// has not read for <see cref="RedisOptions.DeadConsumerIdleTime"/>; the check and the removal are one script, so a consumer that
/// reads in between is kept. Removing a live consumer by mistake costs nothing: its next read recreates it.
/// Runs at start and then every <see cref="SweepInterval"/>.
/// </summary>
internal sealed class RedisDeadConsumerSweep(
    IConnectionMultiplexer redis,
    IOptions<RedisOptions> options,
    TimeProvider timeProvider,
    ILogger<RedisDeadConsumerSweep> logger) : BackgroundService
{
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    private readonly RedisKeys _keys = new(options.Value);

    /// <summary>Removes the consumers idle for at least <paramref name="minIdle"/> that hold no pending entry; returns their names.</summary>
    internal async Task<IReadOnlyList<string>> SweepAsync(TimeSpan minIdle, CancellationToken cancellationToken)
    {
        var result = await RedisFailures.GuardAsync(
            "remove dead consumers",
            () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.QueueSweepConsumers, [_keys.Stream], [options.Value.ConsumerGroup, (long)minIdle.TotalMilliseconds]),
            cancellationToken);
        var removed = ((RedisResult[])result!).Select(name => (string)name!).ToArray();
        if (removed.Length > 0)
        {
            RedisSafetyLog.DeadConsumersRemoved(logger, removed.Length, options.Value.ConsumerGroup, string.Join(", ", removed));
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(options.Value.DeadConsumerIdleTime, stoppingToken);
            }
            catch (Exception ex) when (ex is StorageUnavailableException or RedisServerException)
            {
                RedisSafetyLog.DeadConsumerSweepFailed(logger, ex.GetType().Name);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(SweepInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
