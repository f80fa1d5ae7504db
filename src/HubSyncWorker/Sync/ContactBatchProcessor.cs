using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Sync;

/// <summary>How one processing call behaves.</summary>
/// <param name="Origin">Where the contacts came from, for metrics (<c>resync</c>, <c>queue</c>).</param>
/// <param name="DryRun">Evaluate and report, never write.</param>
/// <param name="Report">Where decisions are tallied.</param>
/// <param name="BeforeWrite">The fencing check made before each write (throws when this process no longer holds its lock).</param>
internal sealed record ProcessingContext(string Origin, bool DryRun, SyncReport Report, Func<CancellationToken, Task>? BeforeWrite = null);

/// <summary>
/// The heart of every sync path: load (done by the caller), evaluate with the pure policy, diff against HubSpot's values,
/// then write only what changed.
/// </summary>
internal sealed class ContactBatchProcessor(
    ContactSnapshotReader reader,
    QualificationPolicy policy,
    ContactWriteBack writeBack,
    SyncMetrics metrics,
    TimeProvider timeProvider)
{
    /// <summary>Evaluates <paramref name="contacts"/> and writes what changed (unless a dry run).</summary>
    public async Task<WriteBackOutcome> ProcessAsync(IReadOnlyList<HubSpotContact> contacts, bool historyIncluded, ProcessingContext context, CancellationToken cancellationToken)
    {
        var plans = await EvaluateAsync(contacts, historyIncluded, context, cancellationToken);
        return await WriteAsync(plans, context, cancellationToken);
    }

    /// <summary>Evaluates <paramref name="contacts"/> and returns the plans of those whose HubSpot values differ from the decision.</summary>
    public Task<List<WriteBackPlan>> EvaluateAsync(IReadOnlyList<HubSpotContact> contacts, bool historyIncluded, ProcessingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        return contacts.Count == 0
            ? Task.FromResult(new List<WriteBackPlan>())
            : WorkerTracing.TraceAsync(WorkerTracing.Evaluate, contacts.Count, () => EvaluateCoreAsync(contacts, historyIncluded, context, cancellationToken));
    }

    private async Task<List<WriteBackPlan>> EvaluateCoreAsync(IReadOnlyList<HubSpotContact> contacts, bool historyIncluded, ProcessingContext context, CancellationToken cancellationToken)
    {
        var plans = new List<WriteBackPlan>();

        var snapshots = await reader.ToSnapshotsAsync(contacts, historyIncluded, cancellationToken);
        var now = timeProvider.GetUtcNow();
        foreach (var (snapshot, conversionHistory) in snapshots)
        {
            var decision = policy.Evaluate(snapshot, now);
            var plan = policy.ComputeChanges(snapshot, decision);
            if (conversionHistory is not null && !string.Equals(snapshot.Get(reader.ConversionHistoryProperty), conversionHistory, StringComparison.Ordinal))
            {
                // Kept with the other outputs so the next sync evaluates this contact without reading its history again.
                plan = plan with { Changes = new Dictionary<string, string>(plan.Changes, StringComparer.Ordinal) { [reader.ConversionHistoryProperty] = conversionHistory } };
            }

            var previous = snapshot.Get(policy.OutputNames.Status);
            context.Report.Record(previous, decision, plan);
            if (plan.HasChanges)
            {
                plans.Add(plan);
                var to = decision.Status.ToPropertyValue();
                if (!context.DryRun && !string.Equals(previous, to, StringComparison.Ordinal))
                {
                    metrics.Transition(string.IsNullOrWhiteSpace(previous) ? SyncReport.NoStatus : previous, to, decision.SourceBucket);
                }
            }
        }

        metrics.Evaluated(context.Origin, snapshots.Count);
        metrics.Skipped(snapshots.Count - plans.Count);
        return plans;
    }

    /// <summary>Writes <paramref name="plans"/> after the fencing check; nothing in a dry run.</summary>
    public async Task<WriteBackOutcome> WriteAsync(IReadOnlyList<WriteBackPlan> plans, ProcessingContext context, CancellationToken cancellationToken)
    {
        if (context.DryRun || plans.Count == 0)
        {
            return WriteBackOutcome.None;
        }

        if (context.BeforeWrite is not null)
        {
            await context.BeforeWrite(cancellationToken);
        }

        return await WorkerTracing.TraceAsync(WorkerTracing.Write, plans.Count, () => writeBack.WriteAsync(plans, cancellationToken));
    }
}
