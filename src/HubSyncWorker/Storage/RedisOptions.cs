using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage;

/// <summary>
/// The shared store (section <c>Redis</c>). Without a connection string the worker runs on an embedded in-memory store,
/// which is fine for trying it out with one replica and loses its queue on restart.
/// </summary>
internal sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// StackExchange.Redis connection string (e.g. <c>redis:6379,password=...</c>). Default: empty, which selects the
    /// embedded in-memory store (one replica only). Set it to share the queue, dedupe keys, locks and rate budget across replicas.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The Redis password, when not in <see cref="ConnectionString"/>: taken as it is, so a password holding <c>,</c> or <c>=</c>
    /// (which would split the connection string) works. Set it through the environment (<c>Redis__Password</c>) or a secret; never
    /// logged. Default: none.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>Prefix of every key this deployment writes, so several deployments can share one Redis. Default: <c>hubsync:</c>.</summary>
    public string KeyPrefix { get; set; } = "hubsync:";

    /// <summary>Name of the work-queue stream (under <see cref="KeyPrefix"/>). Default: <c>queue</c>.</summary>
    public string QueueStreamName { get; set; } = "queue";

    /// <summary>Consumer group all replicas read the work queue through. Default: <c>workers</c>.</summary>
    public string ConsumerGroup { get; set; } = "workers";

    /// <summary>
    /// How long an entry handed to a consumer may stay unacknowledged before another consumer reclaims it
    /// (the consumer is presumed crashed). Must exceed the time one batch takes. Default: 60 seconds.
    /// </summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the marker that coalesces repeated enqueues of a contact still waiting in the queue holds. It is a safety net only:
    /// the marker is removed when the entry is handed out; one older than this no longer coalesces (its entry may have been lost),
    /// so a contact is queued twice at worst. Default: 1 hour.
    /// </summary>
    public TimeSpan CoalesceTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often an idle reader polls the queue while waiting for work (StackExchange.Redis forbids blocking reads on the shared
    /// connection, so a waiting read polls). Lower means lower latency and more Redis round trips. Default: 100 milliseconds.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many dead letters are kept for operators; older ones are dropped (the count keeps them). Default: 10000. Range 1-100000.</summary>
    public int DeadLetterMaxEntries { get; set; } = 10_000;

    /// <summary>
    /// The Redis ACL user (Redis 6+), when not in <see cref="ConnectionString"/>; with <see cref="Password"/> it authenticates as that
    /// user instead of <c>default</c>. Default: none.
    /// </summary>
    public string? User { get; set; }

    /// <summary>Connect with TLS, when not already <c>ssl=true</c> in <see cref="ConnectionString"/>. Default: false.</summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// Path of a PEM file holding the certificate authority that issued the Redis server's certificate (a private CA); the
    /// server's certificate must chain to it. Implies <see cref="UseTls"/>. Default: none (the system's trusted roots).
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// Start even when Redis's <c>maxmemory-policy</c> is not <c>noeviction</c>. Under an eviction policy Redis may drop the queue
    /// stream with its pending entries, the checkpoints and the fencing counters when memory runs short; the worker then loses work
    /// and may let two replicas hold one lock. Set it only when you accept that (a loud warning is logged at every start). Default: false.
    /// </summary>
    public bool AllowEvictionPolicy { get; set; }

    /// <summary>
    /// Most entries the work queue may hold (waiting and handed out) before the webhook endpoint answers 503, so HubSpot retries the
    /// delivery later instead of the queue growing until Redis runs out of memory. An entry is one contact, or up to 100 for a
    /// webhook delivery. Checked against a reading at most one second old. Default: 1000000. Range 1000-100000000.
    /// </summary>
    public long MaxQueueLength { get; set; } = 1_000_000;

    /// <summary>
    /// A consumer of the queue's group that has not read for this long and holds no pending entry is removed from the group (a
    /// replica that is gone: consumer names default to host name and process id, so every restart adds one). A consumer holding
    /// entries is never removed: its entries are reclaimed by the others first. Default: 1 hour. At least 10 minutes.
    /// </summary>
    public TimeSpan DeadConsumerIdleTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many Redis replicas must have a webhook delivery's queued work (Redis <c>WAIT</c>) before HubSpot is answered 200; when
    /// fewer confirm within <see cref="WaitForReplicasTimeout"/> the delivery is answered 503 and HubSpot retries it (a duplicate
    /// of work already queued is harmless). 0 answers once the primary has it. Default: 0. Range 0-10.
    /// </summary>
    public int WaitForReplicas { get; set; }

    /// <summary>How long a delivery waits for <see cref="WaitForReplicas"/> confirmations. Default: 1 second. Range 10 ms to 10 s.</summary>
    public TimeSpan WaitForReplicasTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when no connection string is set: the embedded in-memory store is used.</summary>
    public bool UsesEmbeddedStore => string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>Checks every <see cref="RedisOptions"/> value and reports all errors at once, naming the key and the bad value.</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var s = RedisOptions.SectionName;

        if (!options.UsesEmbeddedStore)
        {
            try
            {
                var parsed = ConfigurationOptions.Parse(options.ConnectionString!);
                if (parsed.EndPoints.Count == 0)
                {
                    errors.Add($"{s}:ConnectionString names no endpoint (host:port); value not shown because it may hold a password.");
                }
            }
            catch (ArgumentException ex)
            {
                // The value is not echoed: a connection string may carry a password.
                errors.Add($"{s}:ConnectionString is not a valid StackExchange.Redis connection string ({ex.Message}); value not shown because it may hold a password.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix))
        {
            errors.Add($"{s}:KeyPrefix must not be empty; was '{options.KeyPrefix}'.");
        }

        if (string.IsNullOrWhiteSpace(options.QueueStreamName))
        {
            errors.Add($"{s}:QueueStreamName must not be empty; was '{options.QueueStreamName}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerGroup))
        {
            errors.Add($"{s}:ConsumerGroup must not be empty; was '{options.ConsumerGroup}'.");
        }

        RequirePositive(errors, "ClaimIdleTime", options.ClaimIdleTime);
        RequirePositive(errors, "CoalesceTtl", options.CoalesceTtl);
        RequirePositive(errors, "QueuePollInterval", options.QueuePollInterval);

        if (options.DeadLetterMaxEntries is < 1 or > 100_000)
        {
            // A retry rewrites the whole list in Redis (one pass per call): beyond this, one call would hold Redis for too long.
            errors.Add($"{s}:DeadLetterMaxEntries must be between 1 and 100000; was '{options.DeadLetterMaxEntries.ToString(CultureInfo.InvariantCulture)}'.");
        }

        if (options.MaxQueueLength is < 1_000 or > 100_000_000)
        {
            errors.Add($"{s}:MaxQueueLength must be between 1000 and 100000000; was '{options.MaxQueueLength.ToString(CultureInfo.InvariantCulture)}'.");
        }

        if (options.DeadConsumerIdleTime < TimeSpan.FromMinutes(10))
        {
            // Shorter would race a live replica that is merely slow (a long batch under HubSpot's retries reads nothing for minutes).
            errors.Add($"{s}:DeadConsumerIdleTime must be at least 00:10:00; was '{Format(options.DeadConsumerIdleTime)}'.");
        }

        if (options.WaitForReplicas is < 0 or > 10)
        {
            errors.Add($"{s}:WaitForReplicas must be between 0 and 10; was '{options.WaitForReplicas.ToString(CultureInfo.InvariantCulture)}'.");
        }

        if (options.WaitForReplicasTimeout < TimeSpan.FromMilliseconds(10) || options.WaitForReplicasTimeout > TimeSpan.FromSeconds(10))
        {
            // WAIT holds the shared Redis connection while it waits: every other command of this pod queues behind it.
            errors.Add($"{s}:WaitForReplicasTimeout must be between 00:00:00.010 and 00:00:10; was '{Format(options.WaitForReplicasTimeout)}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.CaCertificatePath) && !File.Exists(options.CaCertificatePath))
        {
            errors.Add($"{s}:CaCertificatePath names no readable file; was '{options.CaCertificatePath}'.");
        }

        if (options.UsesEmbeddedStore && options.WaitForReplicas > 0)
        {
            errors.Add($"{s}:WaitForReplicas needs Redis ({s}:ConnectionString); was '{options.WaitForReplicas.ToString(CultureInfo.InvariantCulture)}' with the embedded store.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequirePositive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{RedisOptions.SectionName}:{key} must be a positive duration (e.g. 00:01:00); was '{Format(value)}'.");
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
