using System.Diagnostics.Metrics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// The last full resync's HubSpot calls (meter <c>HubSyncWorker.Sync</c>, exported as <c>hubsync_resync_last_*</c>): calls by kind,
/// retries, 429s, wall time and the budget-limited ideal, set when a resync ends, so a dashboard shows how far from HubSpot's
/// physical limit the last one ran. No series before the first resync of the process.
/// </summary>
internal sealed class ResyncCallMetrics
{
    private readonly IOptionsMonitor<HubSpotOptions> _hubSpot;
    private HubSpotCallReport? _last;

    public ResyncCallMetrics(IMeterFactory meterFactory, IOptionsMonitor<HubSpotOptions> hubSpot)
    {
        _hubSpot = hubSpot;
        var meter = meterFactory.Create(SyncMetrics.MeterName);
        meter.CreateObservableGauge("hubsync.resync.last.calls", ObserveCalls, "{call}",
            "HubSpot calls of the last full resync by kind (list, search, batch_read, history_read, batch_update, properties, other), retries and 429s included.");
        meter.CreateObservableGauge("hubsync.resync.last.retries", () => Observe(r => r.Retries), "{call}",
            "HubSpot calls of the last full resync that were retries of an earlier attempt.");
        meter.CreateObservableGauge("hubsync.resync.last.rate_limited", () => Observe(r => r.RateLimited), "{response}",
            "HubSpot 429 answers the last full resync got.");
        meter.CreateObservableGauge("hubsync.resync.last.duration", () => Observe(r => r.Wall.TotalSeconds), "s",
            "Wall time of the last full resync.");
        meter.CreateObservableGauge("hubsync.resync.last.ideal", () => Observe(r => r.Ideal.TotalSeconds), "s",
            "The least time HubSpot's configured budget allows for the last full resync's calls (HubSpot:RequestsPerTenSeconds, HubSpot:SearchRequestsPerSecond).");
    }

    /// <summary>The label value of each kind in <c>hubsync_resync_last_calls{kind}</c>.</summary>
    internal static string LabelOf(HubSpotCallKind kind) => kind switch
    {
        HubSpotCallKind.List => "list",
        HubSpotCallKind.Search => "search",
        HubSpotCallKind.BatchRead => "batch_read",
        HubSpotCallKind.HistoryRead => "history_read",
        HubSpotCallKind.BatchUpdate => "batch_update",
        HubSpotCallKind.Properties => "properties",
        _ => "other",
    };

    /// <summary>The report of a resync that ended (<paramref name="calls"/> is its tally): logged, and the gauges show it from now on.</summary>
    public HubSpotCallReport Completed(HubSpotCallTally calls, ResyncResult result, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(result);
        var report = calls.Report(HubSpotBudget.Of(_hubSpot.CurrentValue), result.Duration);
        Volatile.Write(ref _last, report);
        if (logger.IsEnabled(LogLevel.Information))
        {
            HubSpotCallLog.ResyncCalls(logger, result.Outcome.ToString(), result.DryRun, report.List, report.Search, report.BatchRead, report.HistoryRead,
                report.BatchUpdate, report.Properties, report.Other, report.Retries, report.RateLimited, report.Wall.TotalSeconds, report.Ideal.TotalSeconds);
        }

        return report;
    }

    private IEnumerable<Measurement<long>> ObserveCalls()
    {
        if (Volatile.Read(ref _last) is not { } last)
        {
            return [];
        }

        return Enum.GetValues<HubSpotCallKind>().Select(kind => new Measurement<long>(last.Of(kind), new KeyValuePair<string, object?>("kind", LabelOf(kind))));
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<HubSpotCallReport, T> value)
        where T : struct => Volatile.Read(ref _last) is { } last ? [new Measurement<T>(value(last))] : [];
}

/// <summary>Log events about HubSpot calls by operation (ids 4100-4119).</summary>
internal static partial class HubSpotCallLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Full resync ({Outcome}, dry run: {DryRun}) HubSpot calls: list {List}, search {Search}, batch read {BatchRead}, history read {HistoryRead}, batch update {BatchUpdate}, properties {Properties}, other {Other} ({Retries} retries, {RateLimited} 429s); wall {Seconds:F1} s against a budget-limited ideal of {IdealSeconds:F1} s")]
    public static partial void ResyncCalls(ILogger logger, string outcome, bool dryRun, long list, long search, long batchRead, long historyRead,
        long batchUpdate, long properties, long other, long retries, long rateLimited, double seconds, double idealSeconds);
}
