namespace HubSyncWorker.Storage;

/// <summary>Every log line of the storage layer (event ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3700, Level = LogLevel.Warning,
        Message = "Embedded in-memory store: one replica only; the work queue, dedupe keys, checkpoints and locks are lost on restart. Set Redis:ConnectionString to share them across replicas.")]
    public static partial void EmbeddedStoreActive(ILogger logger);

    [LoggerMessage(EventId = 3701, Level = LogLevel.Information,
        Message = "Redis store active at {Endpoints} with key prefix {KeyPrefix}; the HubSpot rate budget is shared by all replicas.")]
    public static partial void RedisStoreActive(ILogger logger, string endpoints, string keyPrefix);

    [LoggerMessage(EventId = 3702, Level = LogLevel.Warning,
        Message = "Lock {LockName} (fencing token {FencingToken}) was lost; the holder stops its work.")]
    public static partial void LockLeaseLost(ILogger logger, string lockName, long fencingToken);

    [LoggerMessage(EventId = 3703, Level = LogLevel.Warning,
        Message = "Could not renew lock {LockName} (fencing token {FencingToken}); retrying until half the lease has run out.")]
    public static partial void LockRenewFailed(ILogger logger, Exception exception, string lockName, long fencingToken);

    [LoggerMessage(EventId = 3150, Level = LogLevel.Warning,
        Message = "Lock {LockName} (fencing token {FencingToken}) could not be renewed for {HalfLife} (half its lifetime); the holder stops its work before another process can take the lock.")]
    public static partial void LockLeaseInDoubt(ILogger logger, string lockName, long fencingToken, TimeSpan halfLife);

    [LoggerMessage(EventId = 3704, Level = LogLevel.Warning,
        Message = "Could not release lock {LockName} (fencing token {FencingToken}); it expires on its own.")]
    public static partial void LockReleaseFailed(ILogger logger, Exception exception, string lockName, long fencingToken);

    [LoggerMessage(EventId = 3705, Level = LogLevel.Information,
        Message = "Created work-queue consumer group {ConsumerGroup} on stream {Stream}.")]
    public static partial void ConsumerGroupCreated(ILogger logger, string consumerGroup, string stream);

    [LoggerMessage(EventId = 3706, Level = LogLevel.Warning,
        Message = "Dropped unreadable work-queue entry {EntryId}.")]
    public static partial void UnreadableEntryDropped(ILogger logger, string entryId);
}
