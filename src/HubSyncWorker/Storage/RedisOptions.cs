using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot.Settings;
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
    [Required]
    public string KeyPrefix { get; set; } = "hubsync:";

    /// <summary>Name of the work-queue stream (under <see cref="KeyPrefix"/>). Default: <c>queue</c>.</summary>
    [Required]
    public string QueueStreamName { get; set; } = "queue";

    /// <summary>Consumer group all replicas read the work queue through. Default: <c>workers</c>.</summary>
    [Required]
    public string ConsumerGroup { get; set; } = "workers";

    /// <summary>
    /// How long an entry handed to a consumer may stay unacknowledged before another consumer reclaims it
    /// (the consumer is presumed crashed). Must exceed the time one batch takes. Default: 60 seconds.
    /// </summary>
    [TimeSpanRange("00:00:00", MinimumIsExclusive = true)]
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the marker that coalesces repeated enqueues of a contact still waiting in the queue holds. It is a safety net only:
    /// the marker is removed when the entry is handed out; one older than this no longer coalesces (its entry may have been lost),
    /// so a contact is queued twice at worst. Default: 1 hour.
    /// </summary>
    [TimeSpanRange("00:00:00", MinimumIsExclusive = true)]
    public TimeSpan CoalesceTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often an idle reader polls the queue while waiting for work (StackExchange.Redis forbids blocking reads on the shared
    /// connection, so a waiting read polls). Lower means lower latency and more Redis round trips. Default: 100 milliseconds.
    /// </summary>
    [TimeSpanRange("00:00:00", MinimumIsExclusive = true)]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many dead letters are kept for operators; older ones are dropped (the count keeps them). Default: 10000.</summary>
    // A retry rewrites the whole list in Redis (one pass per call): beyond 100000, one call would hold Redis for too long.
    [Range(1, 100_000)]
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
    [ExistingFile]
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
    /// webhook delivery. Checked against a reading at most one second old. Default: 1000000.
    /// </summary>
    [Range(typeof(long), "1000", "100000000", ParseLimitsInInvariantCulture = true)]
    public long MaxQueueLength { get; set; } = 1_000_000;

    /// <summary>
    /// A consumer of the queue's group that has not read for this long and holds no pending entry is removed from the group (a
    /// replica that is gone: consumer names default to host name and process id, so every restart adds one). A consumer holding
    /// entries is never removed: its entries are reclaimed by the others first. Default: 1 hour.
    /// </summary>
    // Shorter would race a live replica that is merely slow (a long batch under HubSpot's retries reads nothing for minutes).
    [TimeSpanRange("00:10:00")]
    public TimeSpan DeadConsumerIdleTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many Redis replicas must have a webhook delivery's queued work (Redis <c>WAIT</c>) before HubSpot is answered 200; when
    /// fewer confirm within <see cref="WaitForReplicasTimeout"/> the delivery is answered 503 and HubSpot retries it (a duplicate
    /// of work already queued is harmless). 0 answers once the primary has it. Default: 0.
    /// </summary>
    [Range(0, 10)]
    public int WaitForReplicas { get; set; }

    /// <summary>How long a delivery waits for <see cref="WaitForReplicas"/> confirmations. Default: 1 second.</summary>
    // WAIT holds the shared Redis connection while it waits: every other command of this pod queues behind it.
    [TimeSpanRange("00:00:00.010", "00:00:10")]
    public TimeSpan WaitForReplicasTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when no connection string is set: the embedded in-memory store is used.</summary>
    public bool UsesEmbeddedStore => string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>
/// The <see cref="RedisOptions"/> rules the data annotations cannot state: the connection string's (parsed, never echoed: it may
/// hold a password) and those that relate several values.
/// </summary>
internal sealed class RedisOptionsRules : IValidateOptions<RedisOptions>
{
    private const string Section = RedisOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!options.UsesEmbeddedStore)
        {
            try
            {
                if (ConfigurationOptions.Parse(options.ConnectionString!).EndPoints.Count == 0)
                {
                    errors.Add(SettingMessages.InvalidSecret($"{Section}:ConnectionString", "must name an endpoint (host:port)"));
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add(SettingMessages.InvalidSecret($"{Section}:ConnectionString", $"must be a StackExchange.Redis connection string ({ex.Message})"));
            }
        }

        if (options.UsesEmbeddedStore && options.WaitForReplicas > 0)
        {
            errors.Add(SettingMessages.Invalid($"{Section}:WaitForReplicas", options.WaitForReplicas, $"must be 0 with the embedded store (it needs Redis: set {Section}:ConnectionString)"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
