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
    /// Write each webhook queue entry's contacts as one comma-separated field (<c>cs</c>) instead of a <c>c</c> field per
    /// contact: less Redis CPU per delivery under heavy webhook load (docs/benchmarks.md). Every version since the one that
    /// added this setting reads both; versions before it drop such entries as unreadable, so turn it on only once no pod of an
    /// older version runs (and turn it off before rolling back to one). Default: false.
    /// </summary>
    public bool CompactWebhookEntries { get; set; }

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
