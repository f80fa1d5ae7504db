namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The Lua scripts of the Redis stores, each an embedded <c>Scripts/*.lua</c> file read once. Callers pass the text to
/// <c>ScriptEvaluateAsync</c>, which sends it by SHA (EVALSHA) once the server knows it, so a call costs one round trip.
/// </summary>
internal static class RedisScripts
{
    private const string ResourcePrefix = "HubSyncWorker.Storage.Redis.Scripts.";

    public static string WebhookAccept { get; } = Load("webhook-accept.lua");

    public static string QueueEnqueue { get; } = Load("queue-enqueue.lua");

    public static string QueueRead { get; } = Load("queue-read.lua");

    public static string QueueAcknowledge { get; } = Load("queue-acknowledge.lua");

    public static string QueueRelease { get; } = Load("queue-release.lua");

    public static string QueueStats { get; } = Load("queue-stats.lua");

    public static string QueueSweepConsumers { get; } = Load("queue-sweep-consumers.lua");

    public static string LockAcquire { get; } = Load("lock-acquire.lua");

    public static string LockRenew { get; } = Load("lock-renew.lua");

    public static string LockRelease { get; } = Load("lock-release.lua");

    public static string CheckpointFencedSet { get; } = Load("checkpoint-fenced-set.lua");

    public static string CheckpointFencedDelete { get; } = Load("checkpoint-fenced-delete.lua");

    // The add and the removal of entries share the index-count function.
    public static string DeadLetterAdd { get; } = Load("dead-letter-unindex.lua") + Load("dead-letter-add.lua");

    public static string DeadLetterRemoveEntries { get; } = Load("dead-letter-unindex.lua") + Load("dead-letter-remove-entries.lua");

    public static string DeadLetterRemoveContact { get; } = Load("dead-letter-remove-contact.lua");

    public static string RateLimitAcquire { get; } = Load("ratelimit-acquire.lua");

    public static string RateLimitPause { get; } = Load("ratelimit-pause.lua");

    public static string InfoMemory { get; } = Load("info-memory.lua");

    private static string Load(string fileName)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"The Redis script {fileName} is not embedded in the worker's assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
