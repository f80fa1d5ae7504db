using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;
using Quartz;

namespace HubSyncWorker.Sync;

/// <summary>The sync engine: full resyncs, incremental syncs, the work-queue consumer and write-back (section <c>Sync</c>).</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>Evaluate and report what would change, never write to HubSpot. Default: <c>false</c>.</summary>
    public bool DryRun { get; set; }

    /// <summary>Ensure the HubSync property group and output properties exist at start. Default: <c>true</c>.</summary>
    public bool BootstrapProperties { get; set; } = true;

    /// <summary>Run the incremental sync (search on <c>lastmodifieddate</c>) on a schedule. Default: <c>true</c>.</summary>
    public bool IncrementalEnabled { get; set; } = true;

    /// <summary>Time between incremental syncs. Default: 5 minutes.</summary>
    [TimeSpanRange("00:00:10", "1.00:00:00")]
    public TimeSpan IncrementalInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far each incremental sync reaches back before the last modification it saw: HubSpot's search index lags writes by
    /// a few seconds, so windows overlap to miss nothing. Default: 2 minutes.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan IncrementalOverlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where the very first incremental sync starts, back from now (later ones start at their checkpoint). Default: 1 hour.</summary>
    [TimeSpanRange("00:00:00", "365.00:00:00")]
    public TimeSpan IncrementalInitialLookback { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Quartz cron expression for scheduled full resyncs (e.g. <c>0 0 3 ? * SUN</c>: Sundays at 03:00 UTC). Default: none
    /// (full resyncs run on demand: the <c>resync</c> verb, the Helm job, or <c>POST /admin/resync</c>).
    /// </summary>
    [QuartzCron]
    public string? FullResyncCron { get; set; }

    /// <summary>Consume the work queue (webhook and incremental-sync work) in this process. Default: <c>true</c>.</summary>
    public bool QueueConsumerEnabled { get; set; } = true;

    /// <summary>Most contacts read from the queue, evaluated and written together (HubSpot's batch limit). Default: 100.</summary>
    [Range(1, 100, ErrorMessage = "HubSpot's batch limit")]
    public int QueueBatchSize { get; set; } = 100;

    /// <summary>
    /// How long the consumer waits for more work to fill a batch once the first item arrived: a little latency buys fewer API calls.
    /// Default: 200 milliseconds.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:00:10")]
    public TimeSpan QueueBatchWindow { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>This replica's consumer name in the queue's consumer group. Default: host name and process id.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>
    /// Lifetime of the full resync's and the incremental sync's cluster-wide locks, renewed every third of it while they run; a run
    /// whose lock could not be renewed for half of it stops writing. Must be longer than <c>HubSpot:TotalTimeout</c>, so a write
    /// with its retries ends within the lock. Default: 5 minutes.
    /// </summary>
    [TimeSpanRange("00:00:03", "01:00:00")]
    public TimeSpan ResyncLockTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest a full resync holds a change before writing it (or a contact before reading its history), when fewer than a batch
    /// (100, or 50 history reads) have built up: a decision held for minutes could overwrite what a salesperson set since.
    /// Default: 15 seconds, longer than HubSpot's 10-second rate window, so a run waiting for its budget does not flush partial
    /// batches (each one a call more); shorter values trade calls for freshness; 0 writes after every page.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan ResyncMaxPendingAge { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a running resync logs its progress. Default: 10 seconds.</summary>
    [TimeSpanRange("00:00:00.100", "01:00:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// While HubSpot refuses the access token (401/403) and work is paused, the most time between two token checks (one cheap
    /// authenticated call each; the first after 5 seconds, then doubling). Default: 30 seconds.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan TokenRecheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many example contacts a dry run reports per transition. Default: 5.</summary>
    [Range(0, 100)]
    public int DryRunSamplesPerTransition { get; set; } = 5;

    internal string EffectiveConsumerName => string.IsNullOrWhiteSpace(ConsumerName)
        ? $"{Environment.MachineName}-{Environment.ProcessId}"
        : ConsumerName;
}

/// <summary>A Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]); empty passes (no schedule).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class QuartzCronAttribute : SettingRuleAttribute
{
    public override string Rule => "must be a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year])";

    public override bool IsValid(object? value) => value is not string { Length: > 0 } expression || string.IsNullOrWhiteSpace(expression) || IsValidCron(expression);

    internal static bool IsValidCron(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// The lock's lifetime against HubSpot's: one HubSpot call with all its retries (<c>HubSpot:TotalTimeout</c>) must end within the
/// lock's lifetime, or a write begun under the lock could land after another process took it over.
/// </summary>
internal sealed class SyncOptionsRules(IOptions<HubSpotOptions> hubSpot) : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        TimeSpan totalTimeout;
        try
        {
            totalTimeout = hubSpot.Value.TotalTimeout;
        }
        catch (OptionsValidationException)
        {
            // HubSpot's own errors are reported on their own; nothing to compare with.
            return ValidateOptionsResult.Skip;
        }

        return options.ResyncLockTtl > totalTimeout
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(SettingMessages.Invalid(
                $"{SyncOptions.SectionName}:{nameof(SyncOptions.ResyncLockTtl)}", options.ResyncLockTtl,
                "must be longer than",
                $"{HubSpotOptions.SectionName}:{nameof(HubSpotOptions.TotalTimeout)}", totalTimeout));
    }
}
