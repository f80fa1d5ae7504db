using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>
/// A full resync: stream every contact with the list endpoint (100 per page, only the properties the policy reads), evaluate, and
/// write only what changed, in batch updates of 100 filled across pages (so N contacts with C changes cost ⌈N/100⌉ list calls and
/// ⌈C/100⌉ update calls, plus one partial batch whenever a change has waited <see cref="SyncOptions.ResyncMaxPendingAge"/>).
/// Runs once cluster-wide under a renewed Redis lock: each write is made only while the lease was renewed within half its lifetime
/// and Redis confirms it, and each checkpoint write is compare-and-set on the lock's fencing token (a lost lock ends the run as
/// <see cref="ResyncOutcome.LockLost"/>); the cursor is checkpointed after each page is written, so a killed resync resumes with at most one page read again. Memory stays flat: one page
/// is processed while the next is fetched.
/// </summary>
internal sealed class FullResync(
    IHubSpotCrmClient client,
    ContactSnapshotReader reader,
    ContactBatchProcessor processor,
    IDistributedLock locks,
    ICheckpointStore checkpoints,
    IOptionsMonitor<SyncOptions> options,
    BootstrapGate gate,
    ResyncCallMetrics callMetrics,
    TimeProvider timeProvider,
    ILogger<FullResync> logger)
{
    internal const string LockName = "resync";
    private const int PageSize = 100;
    private const int WriteBatchSize = 100;
    private const int MaxWritesInFlight = 2;
    private readonly Lock _gate = new();
    private ResyncProgress _progress = new(false, false, 0, null, 0, 0, null, null, null, null);

    public ResyncProgress Progress
    {
        get
        {
            lock (_gate)
            {
                return _progress;
            }
        }
    }

    internal static string CheckpointName(bool dryRun) => dryRun ? "resync:dry-run:cursor" : "resync:cursor";

    /// <summary>
    /// Runs one full resync. With <paramref name="waitForLock"/> it waits for a resync running elsewhere to finish first. Its HubSpot
    /// calls (its background writes' included, nobody else's) are in <see cref="ResyncResult.Calls"/>, the log and the gauges.
    /// </summary>
    public async Task<ResyncResult> RunAsync(bool dryRun, bool waitForLock, CancellationToken cancellationToken)
    {
        using var calls = HubSpotCallTally.Begin();
        var result = await RunCountedAsync(dryRun, waitForLock, cancellationToken);
        return result.Outcome == ResyncOutcome.AlreadyRunning ? result : result with { Calls = callMetrics.Completed(calls, result, logger) };
    }

    private async Task<ResyncResult> RunCountedAsync(bool dryRun, bool waitForLock, CancellationToken cancellationToken)
    {
        if (!dryRun)
        {
            // In the worker, a scheduled or admin resync writes only once the output properties exist.
            await gate.WaitAsync(cancellationToken);
        }

        var settings = options.CurrentValue;
        var started = timeProvider.GetTimestamp();
        var report = new SyncReport(settings.DryRunSamplesPerTransition);

        var run = await locks.RunUnderLockAsync(
            LockName,
            settings.ResyncLockTtl,
            waitForLock,
            async (lease, keeper, token) =>
            {
                try
                {
                    return await RunLockedAsync(lease, keeper, dryRun, report, started, token);
                }
                catch (Exception ex) when (!keeper.Explains(ex, cancellationToken))
                {
                    // Any end but a lost lease (that one is RunUnderLockAsync's): never left "Running".
                    return FinishEarly(ex, dryRun, report, started, cancellationToken);
                }
            },
            timeProvider,
            logger,
            cancellationToken);
        switch (run.Outcome)
        {
            case LockRunOutcome.HeldElsewhere:
                ResyncLog.AlreadyRunning(logger);
                return new ResyncResult(ResyncOutcome.AlreadyRunning, dryRun, 0, null, WriteBackOutcome.None, 0, report, TimeSpan.Zero);
            case LockRunOutcome.LockLost:
                return Finish(new ResyncResult(ResyncOutcome.LockLost, dryRun, Progress.Processed, Progress.Total, WriteBackOutcome.None, 0, report, timeProvider.GetElapsedTime(started), run.LostReason));
            default:
                return run.Value!;
        }
    }

    private ResyncResult FinishEarly(Exception ex, bool dryRun, SyncReport report, long started, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            ResyncLog.Cancelled(logger, Progress.Processed);
            return Finish(new ResyncResult(ResyncOutcome.Cancelled, dryRun, Progress.Processed, Progress.Total, WriteBackOutcome.None, 0, report, timeProvider.GetElapsedTime(started)));
        }

        // A cancellation from neither the caller nor the lease included.
        ResyncLog.Failed(logger, ex, Progress.Processed);
        return Finish(new ResyncResult(ResyncOutcome.Failed, dryRun, Progress.Processed, Progress.Total, WriteBackOutcome.None, 0, report, timeProvider.GetElapsedTime(started), ex.Message));
    }

    private async Task<ResyncResult> RunLockedAsync(ILockLease lease, LockLeaseKeeper keeper, bool dryRun, SyncReport report, long started, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var checkpointName = CheckpointName(dryRun);
        var checkpoint = await LoadCheckpointAsync(checkpointName, cancellationToken);
        var startedAt = checkpoint?.StartedAt ?? timeProvider.GetUtcNow();
        var processed = checkpoint?.Processed ?? 0;
        var total = await CountContactsAsync(cancellationToken);
        if (checkpoint is not null)
        {
            ResyncLog.Resuming(logger, processed, startedAt);
        }

        ResyncLog.Started(logger, dryRun, total?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of", lease.FencingToken);
        SetProgress(new ResyncProgress(true, dryRun, processed, total, 0, 0, null, startedAt, null, null));

        var context = new ProcessingContext("resync", dryRun, report, keeper.EnsureHeldAsync);

        var writes = WriteBackOutcome.None;
        var unfinished = (checkpoint?.Pending ?? []).Select(p => p.ContactId).Concat(checkpoint?.AwaitingHistory ?? []).Distinct(StringComparer.Ordinal).ToList();
        var pending = unfinished.Count > 0
            ? await ReevaluateAsync(unfinished, context, cancellationToken)
            : [];

        // Contacts of listed pages whose conversion history must be read (see ContactSnapshotReader.NeedsHistory), with when their
        // page arrived: read 50 at a time across pages, or fewer once the oldest has waited ResyncMaxPendingAge (the same bound
        // as a change waiting to be written, for the same reason), never one read per page.
        var awaiting = new List<(HubSpotContact Contact, long FetchedAt)>();
        var inFlight = new List<(Task<WriteBackOutcome> Task, List<WriteBackPlan> Plans)>();
        var oldestPending = timeProvider.GetTimestamp();
        var listCalls = 1;
        var lastProgressLog = timeProvider.GetTimestamp();
        var runStarted = timeProvider.GetTimestamp();
        var processedAtStart = processed;

        void AddPending(List<WriteBackPlan> plans, long readAt)
        {
            if (!dryRun && plans.Count > 0)
            {
                // The age counts from when HubSpot answered with the page: the contacts' state is as of then. Contacts evaluated
                // after their history was read come from earlier pages than those already pending.
                oldestPending = pending.Count == 0 ? readAt : Math.Min(oldestPending, readAt);
                pending.AddRange(plans);
            }
        }

        async Task ReadHistoriesDueAsync(bool all)
        {
            while (awaiting.Count >= ContactSnapshotReader.HistoryBatchLimit
                || (awaiting.Count > 0 && (all || timeProvider.GetElapsedTime(awaiting[0].FetchedAt) >= settings.ResyncMaxPendingAge)))
            {
                var size = Math.Min(ContactSnapshotReader.HistoryBatchLimit, awaiting.Count);
                var batch = awaiting[..size];
                awaiting.RemoveRange(0, size);
                var read = await reader.WithHistoryAsync([.. batch.Select(a => a.Contact)], cancellationToken);
                AddPending(await processor.EvaluateAsync(read.Found, historyIncluded: true, context, cancellationToken), batch[0].FetchedAt);
            }
        }

        // One page is processed while the next is fetched: the list cursor is sequential, but the two calls overlap.
        // Changes are written in batches of 100, or once the oldest has waited ResyncMaxPendingAge since its page was read, even
        // while the next page is still being listed (a slow or rate-limited list call must not hold a decision for minutes: it is
        // a decision on the contact as read, and could overwrite a lead status a salesperson set in between). Whatever is
        // pending is always in the last checkpoint, so writing it at any moment keeps the resume invariant.
        async Task WriteDueAsync()
        {
            while (pending.Count >= WriteBatchSize
                || (pending.Count > 0 && timeProvider.GetElapsedTime(oldestPending) >= settings.ResyncMaxPendingAge))
            {
                var size = Math.Min(WriteBatchSize, pending.Count);
                var batch = pending[..size];
                pending.RemoveRange(0, size);
                inFlight.Add((processor.WriteAsync(batch, context, cancellationToken), batch));
                if (inFlight.Count > MaxWritesInFlight)
                {
                    writes = writes.Add(await ReapAsync(inFlight, waitForOldest: true));
                }
            }
        }

        var next = ListAsync(checkpoint?.After, cancellationToken);
        while (true)
        {
            while ((pending.Count > 0 || awaiting.Count > 0) && !next.IsCompleted)
            {
                var due = TimeSpan.MaxValue;
                if (pending.Count > 0)
                {
                    due = settings.ResyncMaxPendingAge - timeProvider.GetElapsedTime(oldestPending);
                }

                if (awaiting.Count > 0)
                {
                    var historyDue = settings.ResyncMaxPendingAge - timeProvider.GetElapsedTime(awaiting[0].FetchedAt);
                    due = historyDue < due ? historyDue : due;
                }

                if (due > TimeSpan.Zero)
                {
                    await Task.WhenAny(next, Task.Delay(due, timeProvider, cancellationToken));
                }

                if (!next.IsCompleted)
                {
                    await ReadHistoriesDueAsync(all: false);
                    await WriteDueAsync();
                }
            }

            var (page, fetchedAt) = await next;
            if (page.NextAfter is not null)
            {
                next = ListAsync(page.NextAfter, cancellationToken);
                listCalls++;
            }

            var ready = new List<HubSpotContact>(page.Results.Count);
            foreach (var contact in page.Results)
            {
                if (reader.NeedsHistory(contact))
                {
                    awaiting.Add((contact, fetchedAt));
                }
                else
                {
                    ready.Add(contact);
                }
            }

            AddPending(await processor.EvaluateAsync(ready, historyIncluded: true, context, cancellationToken), fetchedAt);
            await ReadHistoriesDueAsync(all: page.NextAfter is null);
            processed += page.Results.Count;
            writes = writes.Add(await ReapAsync(inFlight, waitForOldest: false));

            // The checkpoint is saved as soon as a page is evaluated, with every change not yet confirmed written (pending, or in
            // a write still in flight), and before any new write: a stop at any later point resumes at the next page, so at most
            // the page being fetched is read twice, and no change is lost (a repeated write of the same values is harmless).
            if (page.NextAfter is not null)
            {
                var unconfirmed = inFlight.SelectMany(w => w.Plans).Concat(pending).ToList();
                List<string>? unread = awaiting.Count > 0 ? [.. awaiting.Select(a => a.Contact.Id)] : null;
                await SaveCheckpointAsync(checkpointName, new ResyncCheckpoint(page.NextAfter, processed, startedAt, unconfirmed, unread), lease);
            }

            // Due batches are written in the background (a few at a time) while the next pages are listed and evaluated, so a
            // page's write does not hold up the list cursor.
            await WriteDueAsync();

            if (page.NextAfter is null)
            {
                break;
            }

            var elapsed = timeProvider.GetElapsedTime(runStarted);
            var rate = elapsed.TotalSeconds > 0 ? (processed - processedAtStart) / elapsed.TotalSeconds : 0;
            TimeSpan? eta = total is { } t && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, t - processed) / rate) : null;
            SetProgress(new ResyncProgress(true, dryRun, processed, total, report.Changed, rate, eta, startedAt, null, null));
            if (timeProvider.GetElapsedTime(lastProgressLog) >= settings.ProgressInterval && logger.IsEnabled(LogLevel.Information))
            {
                lastProgressLog = timeProvider.GetTimestamp();
                ResyncLog.Progress(logger, processed, total?.ToString(CultureInfo.InvariantCulture) ?? "?", rate, eta?.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) ?? "?", report.Changed);
            }
        }

        if (pending.Count > 0)
        {
            inFlight.Add((processor.WriteAsync([.. pending], context, cancellationToken), pending));
        }

        while (inFlight.Count > 0)
        {
            writes = writes.Add(await ReapAsync(inFlight, waitForOldest: true));
        }

        if (!await checkpoints.TryDeleteAsync(checkpointName, lease, cancellationToken))
        {
            throw CheckpointRefused(lease);
        }
        var result = new ResyncResult(ResyncOutcome.Completed, dryRun, processed, total, writes, listCalls, report, timeProvider.GetElapsedTime(started));
        if (logger.IsEnabled(LogLevel.Information))
        {
            ResyncLog.Completed(logger, dryRun, processed, report.Changed, writes.Written, writes.DeadLettered, writes.NotFound, listCalls, result.Duration.TotalSeconds, report.TransitionSummary());
        }

        return Finish(result);
    }

    /// <summary>Collects finished background writes (and, when asked, waits for the oldest); a failed write throws here.</summary>
    private static async Task<WriteBackOutcome> ReapAsync(List<(Task<WriteBackOutcome> Task, List<WriteBackPlan> Plans)> inFlight, bool waitForOldest)
    {
        var outcome = WriteBackOutcome.None;
        if (waitForOldest && inFlight.Count > 0)
        {
            outcome = outcome.Add(await inFlight[0].Task);
            inFlight.RemoveAt(0);
        }

        for (var i = 0; i < inFlight.Count;)
        {
            if (inFlight[i].Task.IsCompleted)
            {
                outcome = outcome.Add(await inFlight[i].Task);
                inFlight.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        return outcome;
    }

    /// <summary>One list page, and when it arrived (on <see cref="TimeProvider.GetTimestamp"/>).</summary>
    private async Task<(ContactPage Page, long FetchedAt)> ListAsync(string? after, CancellationToken cancellationToken)
    {
        var page = await client.ListContactsAsync(new ContactListQuery { Limit = PageSize, After = after, Properties = reader.Properties }, cancellationToken);
        return (page, timeProvider.GetTimestamp());
    }

    /// <summary>The number of contacts, for progress and ETA: one search call (search has its own budget), null if it fails.</summary>
    private async Task<long?> CountContactsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var page = await client.SearchContactsAsync(new ContactSearchRequest { Limit = 1, Properties = ["hs_object_id"] }, cancellationToken);
            return page.Total;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ResyncLog.CountFailed(logger, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// The changes a stopped run had computed but not confirmed written, and the contacts it had listed but not evaluated for want
    /// of their conversion history, computed again from HubSpot's current values: hours may have passed, and a salesperson's or a
    /// webhook's newer change must not be overwritten with the old decision. One batch read per 100 contacts, and one history read
    /// per 50 of those that need it (a checkpoint holds a few hundred at most); contacts gone since are dropped.
    /// </summary>
    private async Task<List<WriteBackPlan>> ReevaluateAsync(List<string> unwritten, ProcessingContext context, CancellationToken cancellationToken)
    {
        var plans = new List<WriteBackPlan>();
        foreach (var chunk in unwritten.Chunk(PageSize))
        {
            var read = await reader.ReadAsync(chunk, cancellationToken);
            if (read.Errors.Count > 0)
            {
                // Not evaluated now: the checkpoint only speeds things up, and the next full resync or any change reaches them.
                ResyncLog.ReevaluateFailed(logger, read.Errors.Count, read.Errors[0].Category, read.Errors[0].Message);
            }

            plans.AddRange(await processor.EvaluateAsync(read.Found, historyIncluded: true, context, cancellationToken));
        }

        ResyncLog.Reevaluated(logger, unwritten.Count, plans.Count);
        return plans;
    }

    /// <summary>
    /// Saves the cursor only while this run's lease still holds the lock (compare-and-set on its fencing token): a process paused
    /// past its lease must not move the cursor of the one that took over past pages nobody did.
    /// </summary>
    private async Task SaveCheckpointAsync(string name, ResyncCheckpoint checkpoint, ILockLease lease)
    {
        // Not cancellable: a run being stopped still records how far it got.
        if (!await checkpoints.TrySetAsync(name, JsonSerializer.Serialize(checkpoint), lease, CancellationToken.None))
        {
            throw CheckpointRefused(lease);
        }
    }

    private static LockLostException CheckpointRefused(ILockLease lease) =>
        new($"The resync checkpoint was refused: the lock is no longer held with fencing token {lease.FencingToken}.");

    private async Task<ResyncCheckpoint?> LoadCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        var json = await checkpoints.GetAsync(name, cancellationToken);
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ResyncCheckpoint>(json);
        }
        catch (JsonException)
        {
            ResyncLog.CheckpointUnreadable(logger, name);
            return null;
        }
    }

    private ResyncResult Finish(ResyncResult result)
    {
        var summary = $"{result.Outcome}: {result.Processed} contacts, {result.Report.Changed} to change ({result.Report.TransitionSummary()}), {result.Writes.Written} written";
        var last = Progress;
        SetProgress(last with { Running = false, LastOutcome = result.Outcome, LastSummary = summary, Processed = result.Processed, Changed = result.Report.Changed });
        return result;
    }

    private void SetProgress(ResyncProgress progress)
    {
        lock (_gate)
        {
            _progress = progress;
        }
    }
}

internal static partial class ResyncLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Full resync started (dry run: {DryRun}); {Total} contacts in HubSpot; lock fencing token {FencingToken}")]
    public static partial void Started(ILogger logger, bool dryRun, string total, long fencingToken);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Resync progress: {Processed}/{Total} contacts, {Rate:F0} contacts/s, ETA {Eta}, {Changed} to change")]
    public static partial void Progress(ILogger logger, long processed, string total, double rate, string eta, long changed);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Full resync done (dry run: {DryRun}): {Processed} contacts, {Changed} changed, {Written} written, {DeadLettered} dead-lettered, {NotFound} gone, {ListCalls} list calls, {Seconds:F1} s; {Transitions}")]
    public static partial void Completed(ILogger logger, bool dryRun, long processed, long changed, int written, int deadLettered, int notFound, int listCalls, double seconds, string transitions);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Resuming an interrupted resync after {Processed} contacts (started {StartedAt:O})")]
    public static partial void Resuming(ILogger logger, long processed, DateTimeOffset startedAt);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "A full resync is already running elsewhere; not starting another")]
    public static partial void AlreadyRunning(ILogger logger);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Full resync cancelled after {Processed} contacts; it resumes from its checkpoint next time")]
    public static partial void Cancelled(ILogger logger, long processed);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Full resync failed after {Processed} contacts; it resumes from its checkpoint next time")]
    public static partial void Failed(ILogger logger, Exception exception, long processed);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Could not count contacts for progress ({Reason}); progress shows no total")]
    public static partial void CountFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Resuming: {Unwritten} contacts the stopped run had not finished (changes not written, conversion histories not read) were evaluated again from HubSpot's current values ({Plans} to write)")]
    public static partial void Reevaluated(ILogger logger, int unwritten, int plans);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Resuming: HubSpot could not read {Count} contacts of the stopped run's unwritten changes ({Category}: {HubSpotMessage}); they are left to the next run")]
    public static partial void ReevaluateFailed(ILogger logger, int count, string? category, string hubSpotMessage);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Resync checkpoint {Name} is unreadable; starting from the beginning")]
    public static partial void CheckpointUnreadable(ILogger logger, string name);
}
