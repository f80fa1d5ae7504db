namespace HubSyncWorker.Storage.Redis;

/// <summary>Log lines of the Redis safety checks: eviction policy, queue bound, dead consumers, replica confirmation (event ids 3750-3799).</summary>
internal static partial class RedisSafetyLog
{
    [LoggerMessage(EventId = 3750, Level = LogLevel.Critical,
        Message = "Redis's maxmemory-policy is {Policy}, allowed by Redis:AllowEvictionPolicy: when memory runs short Redis may evict the work queue with its pending entries, the checkpoints and the fencing counters, losing work and letting two replicas hold one lock. Set maxmemory-policy to noeviction.")]
    public static partial void EvictionPolicyAllowed(ILogger logger, string policy);

    [LoggerMessage(EventId = 3751, Level = LogLevel.Warning,
        Message = "Could not read Redis's maxmemory-policy (INFO memory is disabled or hides it, as some managed services do): make sure it is noeviction, or Redis may evict the work queue and the checkpoints.")]
    public static partial void EvictionPolicyUnknown(ILogger logger);

    [LoggerMessage(EventId = 3752, Level = LogLevel.Warning,
        Message = "Redis is unreachable at start: its maxmemory-policy is checked once it answers.")]
    public static partial void EvictionPolicyCheckDeferred(ILogger logger);

    [LoggerMessage(EventId = 3753, Level = LogLevel.Critical, Message = "Stopping: {Refusal}")]
    public static partial void EvictionPolicyRefused(ILogger logger, string refusal);

    [LoggerMessage(EventId = 3754, Level = LogLevel.Information,
        Message = "Removed {Count} dead consumers (no pending entry, idle longer than Redis:DeadConsumerIdleTime) from group {ConsumerGroup}: {Consumers}")]
    public static partial void DeadConsumersRemoved(ILogger logger, int count, string consumerGroup, string consumers);

    [LoggerMessage(EventId = 3755, Level = LogLevel.Warning,
        Message = "Could not look for dead consumers of the work queue ({Reason}); trying again later.")]
    public static partial void DeadConsumerSweepFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3756, Level = LogLevel.Error,
        Message = "The work queue holds {Length} entries, more than Redis:MaxQueueLength ({Max}): webhook deliveries are answered 503 (HubSpot retries them) until the consumers catch up.")]
    public static partial void QueueFull(ILogger logger, long length, long max);

    [LoggerMessage(EventId = 3757, Level = LogLevel.Information,
        Message = "The work queue holds {Length} entries, within Redis:MaxQueueLength ({Max}) again: webhook deliveries are accepted.")]
    public static partial void QueueBelowMaximum(ILogger logger, long length, long max);

    [LoggerMessage(EventId = 3758, Level = LogLevel.Error,
        Message = "Only {Confirmed} of the {Required} Redis replicas of Redis:WaitForReplicas confirmed a delivery's work within {Timeout}: deliveries are answered 503 (HubSpot retries them) until they do.")]
    public static partial void ReplicasNotConfirmed(ILogger logger, long confirmed, int required, TimeSpan timeout);

    [LoggerMessage(EventId = 3759, Level = LogLevel.Information,
        Message = "{Required} Redis replicas confirm deliveries again.")]
    public static partial void ReplicasConfirmedAgain(ILogger logger, int required);
}
