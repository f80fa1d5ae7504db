using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;
using Quartz;

namespace HubSyncWorker.Scheduling;

/// <summary>
/// The scheduled incremental sync: thin, never concurrent in this process, and run once cluster-wide through a Redis lock
/// (a replica that finds the lock taken skips this firing).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class IncrementalSyncJob(
    IncrementalSync sync,
    IDistributedLock locks,
    HubSpotAccessGate access,
    IOptionsMonitor<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<IncrementalSyncJob> logger) : IJob
{
    internal const string LockName = "incremental";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    /// <summary>One firing; how it ended under the lock, or null when it did not run (paused, failed, shut down).</summary>
    internal async Task<LockRunOutcome?> RunAsync(CancellationToken cancellationToken)
    {
        if (!access.IsOpen)
        {
            // HubSpot refuses the token: the checkpoint waits, and the first firing after a token is accepted catches up.
            SchedulingLog.SkippedWhilePaused(logger, nameof(IncrementalSyncJob));
            return null;
        }

        try
        {
            // A run after an outage or a large import can outlast the lock's TTL: renewed while it runs, so another replica's
            // firing never scans the same range at once (halving the search budget, moving the checkpoint back); its checkpoint
            // and contact writes are fenced on the lease, so once the lease is lost it moves nothing back. A lock held elsewhere
            // skips this firing.
            var run = await locks.RunUnderLockAsync(
                LockName,
                options.CurrentValue.ResyncLockTtl,
                waitForLock: false,
                (lease, keeper, token) => sync.RunAsync(lease, keeper.EnsureHeldAsync, token),
                timeProvider,
                logger,
                cancellationToken);
            return run.Outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the checkpoint holds what was done.
            return null;
        }
        catch (Exception ex)
        {
            // The next firing retries from the checkpoint; a job exception would only be logged by Quartz anyway.
            SchedulingLog.JobFailed(logger, ex, nameof(IncrementalSyncJob));
            return null;
        }
    }
}

/// <summary>The scheduled full resync (when <c>Sync:FullResyncCron</c> is set); skipped when one already runs anywhere.</summary>
[DisallowConcurrentExecution]
internal sealed class FullResyncJob(FullResync resync, HubSpotAccessGate access, IOptionsMonitor<SyncOptions> options, ILogger<FullResyncJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!access.IsOpen)
        {
            SchedulingLog.SkippedWhilePaused(logger, nameof(FullResyncJob));
            return;
        }

        await resync.RunAsync(options.CurrentValue.DryRun, waitForLock: false, cancellationToken);
    }
}

/// <summary>The Quartz identities of the scheduled jobs and their triggers, in one place.</summary>
internal static class JobKeys
{
    public const string IncrementalSyncTrigger = "incremental-sync-trigger";
    public const string FullResyncTrigger = "full-resync-trigger";

    public static readonly JobKey IncrementalSync = new("incremental-sync");
    public static readonly JobKey FullResync = new("full-resync");
}

internal static class SchedulingExtensions
{
    /// <summary>Quartz: the incremental sync every <c>Sync:IncrementalInterval</c>, the full resync on <c>Sync:FullResyncCron</c>.</summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        // Schedules are read here, before the container exists; start-up validates the same values.
        var settings = ValidatedSections.Read<SyncOptions>(builder.Configuration.GetSection(SyncOptions.SectionName));
        builder.Services.AddQuartz(quartz =>
        {
            if (settings.IncrementalEnabled && settings.IncrementalInterval >= TimeSpan.FromSeconds(10))
            {
                quartz.AddJob<IncrementalSyncJob>(j => j.WithIdentity(JobKeys.IncrementalSync));
                quartz.AddTrigger(t => t.ForJob(JobKeys.IncrementalSync).WithIdentity(JobKeys.IncrementalSyncTrigger)
                    .StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(settings.IncrementalInterval).RepeatForever()));
            }

            if (!string.IsNullOrWhiteSpace(settings.FullResyncCron) && QuartzCronAttribute.IsValidCron(settings.FullResyncCron))
            {
                quartz.AddJob<FullResyncJob>(j => j.WithIdentity(JobKeys.FullResync));
                quartz.AddTrigger(t => t.ForJob(JobKeys.FullResync).WithIdentity(JobKeys.FullResyncTrigger)
                    .WithCronSchedule(settings.FullResyncCron, c => c.InTimeZone(TimeZoneInfo.Utc)));
            }
        });
        builder.Services.AddQuartzHostedService(q => q.WaitForJobsToComplete = true);
        return builder;
    }

}

internal static partial class SchedulingLog
{
    [LoggerMessage(EventId = 3401, Level = LogLevel.Error, Message = "Scheduled job {Job} failed; the next firing resumes from its checkpoint")]
    public static partial void JobFailed(ILogger logger, Exception exception, string job);

    [LoggerMessage(EventId = 3552, Level = LogLevel.Warning, Message = "Scheduled job {Job} skipped: work is paused while HubSpot refuses the access token (see /health, hubspot-access)")]
    public static partial void SkippedWhilePaused(ILogger logger, string job);
}
