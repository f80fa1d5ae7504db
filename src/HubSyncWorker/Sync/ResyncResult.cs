using HubSyncWorker.Diagnostics;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Sync;

/// <summary>How a full resync ended.</summary>
internal enum ResyncOutcome
{
    Completed,

    /// <summary>Another process holds the resync lock (and the caller did not wait).</summary>
    AlreadyRunning,

    /// <summary>
    /// The lock was lost mid-run (another holder took it, or it could not be renewed for half its lifetime); this run stopped
    /// without writing to HubSpot or the checkpoint under it.
    /// </summary>
    LockLost,

    Cancelled,

    Failed,
}

/// <summary>A full resync's result: counts, the decisions' report and the API usage.</summary>
internal sealed record ResyncResult(ResyncOutcome Outcome, bool DryRun, long Processed, long? Total, WriteBackOutcome Writes, int ListCalls, SyncReport Report, TimeSpan Duration, string? Error = null)
{
    /// <summary>Every HubSpot call the run made, by kind, against the budget-limited ideal (none when another run held the lock).</summary>
    public HubSpotCallReport Calls { get; init; } = HubSpotCallReport.None;
}

/// <summary>Progress of the resync running in this process (for logs and <c>GET /admin/resync</c>).</summary>
internal sealed record ResyncProgress(bool Running, bool DryRun, long Processed, long? Total, long Changed, double ContactsPerSecond, TimeSpan? Eta, DateTimeOffset? StartedAt, ResyncOutcome? LastOutcome, string? LastSummary);

/// <summary>
/// What a resync checkpoint holds, so a killed resync resumes where it stopped: the cursor of the next page, the changes
/// evaluated on earlier pages but not yet written (writes are batched by 100 across pages), and the contacts of earlier pages
/// still waiting for their conversion history (history reads are batched by 50 across pages).
/// </summary>
internal sealed record ResyncCheckpoint(string After, long Processed, DateTimeOffset StartedAt, IReadOnlyList<WriteBackPlan>? Pending = null, IReadOnlyList<string>? AwaitingHistory = null);
