using HubSyncWorker.Diagnostics;
using HubSyncWorker.Sync;

namespace HubSyncWorker.Admin;

/// <summary>
/// One resync started through <c>POST /admin/resync</c>: when, whether a dry run, how it ended and its HubSpot calls by kind against
/// the budget-limited ideal (null while running).
/// </summary>
internal sealed record AdminResyncRun(Guid Id, bool DryRun, DateTimeOffset RequestedAt, DateTimeOffset? FinishedAt, ResyncOutcome? Outcome, string? Error)
{
    public HubSpotCallReport? Calls { get; init; }
}

/// <summary>What <c>GET /admin/resync</c> answers: the progress of the resync in this process and the last admin-triggered run.</summary>
internal sealed record AdminResyncStatus(ResyncProgress Progress, AdminResyncRun? LastRun);

/// <summary>
/// Starts full resyncs on the running worker in the background, one at a time per process. Cluster-wide exclusivity comes from the
/// resync's Redis lock: when another replica (or the Helm Job) holds it, the run ends at once with <see cref="ResyncOutcome.AlreadyRunning"/>.
/// The run stops with the host (application stopping) and resumes from its checkpoint next time.
/// </summary>
internal sealed class AdminResyncRunner(FullResync resync, IHostApplicationLifetime lifetime, TimeProvider timeProvider, ILogger<AdminResyncRunner> logger)
{
    private readonly Lock _gate = new();
    private AdminResyncRun? _last;
    private Task? _running;

    public AdminResyncStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new AdminResyncStatus(resync.Progress, _last);
            }
        }
    }

    /// <summary>Starts a resync unless one is running in this process (admin-triggered or scheduled); returns the run, or null.</summary>
    public AdminResyncRun? TryStart(bool dryRun)
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false } || resync.Progress.Running)
            {
                return null;
            }

            var run = new AdminResyncRun(Guid.NewGuid(), dryRun, timeProvider.GetUtcNow(), null, null, null);
            _last = run;
            _running = Task.Run(() => RunAsync(run));
            return run;
        }
    }

    private async Task RunAsync(AdminResyncRun run)
    {
        Log.ResyncTriggered(logger, run.Id, run.DryRun);
        AdminResyncRun finished;
        try
        {
            var result = await resync.RunAsync(run.DryRun, waitForLock: false, lifetime.ApplicationStopping);
            finished = run with { FinishedAt = timeProvider.GetUtcNow(), Outcome = result.Outcome, Error = result.Error, Calls = result.Calls };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // FullResync reports its own failures in its result; this is the safety net that keeps the status truthful.
            finished = run with { FinishedAt = timeProvider.GetUtcNow(), Outcome = ResyncOutcome.Failed, Error = ex.GetType().Name };
        }

        Log.ResyncFinished(logger, run.Id, finished.Outcome?.ToString() ?? "?");
        lock (_gate)
        {
            _last = finished;
        }
    }
}
