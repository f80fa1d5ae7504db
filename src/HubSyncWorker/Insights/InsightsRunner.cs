using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Insights;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Insights;

/// <summary>One insights analysis to run: what to read, what to aim at, and a candidate policy to compare, if any.</summary>
internal sealed record InsightsJob(InsightsAsk Ask, InsightsRequest Request, QualificationPolicy? Candidate = null)
{
    /// <summary>The fewest calls a bounded run can make: the two counting searches and one list call.</summary>
    public const int MinCalls = 3;
}

/// <summary>The analysis running in this process: when it started, its call estimate once made, and how far it is.</summary>
internal sealed record InsightsStatus(DateTimeOffset StartedAt, InsightsEstimate? Estimate, InsightsProgress Progress);

/// <summary>
/// Runs insights analyses, one at a time per process (the verb and <c>GET /admin/insights</c> alike): counts and estimates the calls,
/// reads the portal (<see cref="InsightsCollector"/>), analyses it (<see cref="InsightsAnalyzer"/>), and reports the HubSpot calls
/// the run made by kind, as a resync does.
/// </summary>
internal sealed class InsightsRunner(InsightsCollector collector, QualificationPolicy policy, IOptions<HubSpotOptions> hubSpot, TimeProvider time, ILogger<InsightsRunner> logger)
    : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Lock _gate = new();
    private InsightsStatus? _status;

    /// <summary>The running analysis, or null.</summary>
    public InsightsStatus? Running
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="job"/>, or returns null at once when an analysis is already running here. <paramref name="onEstimate"/> is
    /// told the estimate before the portal is listed; <paramref name="onProgress"/> after each page and history read.
    /// </summary>
    public async Task<InsightsOutcome?> TryRunAsync(
        InsightsJob job, Func<InsightsEstimate, Task>? onEstimate, Action<InsightsProgress>? onProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!await _one.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return null;
        }

        try
        {
            var analysedAt = time.GetUtcNow();
            var started = time.GetTimestamp();
            SetStatus(new InsightsStatus(analysedAt, null, InsightsProgress.Starting));
            using var calls = HubSpotCallTally.Begin();
            var estimate = await collector.EstimateAsync(job.Ask, cancellationToken);
            InsightsLog.Estimated(logger, estimate.Describe());
            SetStatus(new InsightsStatus(analysedAt, estimate, InsightsProgress.Starting));
            if (onEstimate is not null)
            {
                await onEstimate(estimate);
            }

            var collected = await collector.CollectAsync(estimate, job.Ask, analysedAt, progress =>
            {
                SetStatus(new InsightsStatus(analysedAt, estimate, progress));
                onProgress?.Invoke(progress);
            }, cancellationToken);
            var report = InsightsAnalyzer.Analyze(collected.Contacts, policy, job.Request, analysedAt, job.Candidate);
            var callReport = calls.Report(HubSpotBudget.Of(hubSpot.Value), time.GetElapsedTime(started));
            InsightsLog.Finished(logger, report.Contacts, callReport.Describe());
            return new InsightsOutcome(report, new InsightsCollection(
                estimate.PortalContacts, collected.Listed, collected.WithRecordedScores, collected.ReadAtCutoff, collected.FromLifecycleHistory,
                collected.Unreadable, estimate, callReport));
        }
        finally
        {
            SetStatus(null);
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();

    private void SetStatus(InsightsStatus? status)
    {
        lock (_gate)
        {
            _status = status;
        }
    }
}

internal static partial class InsightsLog
{
    [LoggerMessage(EventId = 4503, Level = LogLevel.Information, Message = "Insights: estimated {Estimate}")]
    public static partial void Estimated(ILogger logger, string estimate);

    [LoggerMessage(EventId = 4504, Level = LogLevel.Information, Message = "Insights: {Contacts} contacts analysed; HubSpot calls: {Calls}")]
    public static partial void Finished(ILogger logger, int contacts, string calls);
}
