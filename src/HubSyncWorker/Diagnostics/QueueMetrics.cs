using System.Diagnostics.Metrics;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// Work-queue gauges (meter <c>HubSyncWorker.Queue</c>, exported as <c>hubsync_queue_*</c>): entries waiting and handed out but not
/// yet acknowledged, and the age of the oldest entry. Read from <see cref="IWorkQueue.GetStatsAsync"/> at most once per
/// <see cref="DiagnosticsOptions.QueueStatsCacheDuration"/>, so frequent scrapes cost the store nothing extra.
/// </summary>
internal sealed class QueueMetrics
{
    public const string MeterName = "HubSyncWorker.Queue";

    private readonly IWorkQueue _queue;
    private readonly IOptionsMonitor<DiagnosticsOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<QueueMetrics> _logger;
    private readonly Lock _gate = new();
    private WorkQueueStats? _stats;
    private long _readAt;
    private Task? _refresh;

    public QueueMetrics(IMeterFactory meterFactory, IWorkQueue queue, IOptionsMonitor<DiagnosticsOptions> options, TimeProvider timeProvider, ILogger<QueueMetrics> logger)
    {
        _queue = queue;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("hubsync.queue.depth", ObserveDepth, "{entry}",
            "Entries on the work queue, by state: pending (waiting for a consumer) or unacknowledged (handed out, not yet done). An entry is one contact, or up to 100 for webhooks.");
        meter.CreateObservableGauge("hubsync.queue.oldest_age", ObserveOldestAge, "s",
            "Age of the oldest entry on the work queue (0 when it is empty).");
    }

    /// <summary>The statistics, read again when older than the cache duration; null when the store could not be read.</summary>
    internal WorkQueueStats? Current()
    {
        var settings = _options.CurrentValue;
        Task refresh;
        lock (_gate)
        {
            if (_stats is not null && _timeProvider.GetElapsedTime(_readAt) < settings.QueueStatsCacheDuration)
            {
                return _stats;
            }

            _refresh ??= RefreshAsync();
            refresh = _refresh;
        }

        // Observable instruments are read synchronously by the exporter; the wait is bounded and the read runs on Redis's own threads.
        refresh.Wait(settings.HealthCheckTimeout);
        lock (_gate)
        {
            return _stats;
        }
    }

    private async Task RefreshAsync()
    {
        await Task.Yield();
        WorkQueueStats? stats = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.CurrentValue.HealthCheckTimeout, _timeProvider);
            stats = await _queue.GetStatsAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or OperationCanceledException)
        {
            Log.QueueStatsFailed(_logger, ex.GetType().Name);
        }
        finally
        {
            lock (_gate)
            {
                // A failed read reports nothing rather than numbers that may be stale by minutes.
                _stats = stats;
                _readAt = _timeProvider.GetTimestamp();
                _refresh = null;
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        if (Current() is not { } stats)
        {
            return [];
        }

        return
        [
            new Measurement<long>(stats.Pending, new KeyValuePair<string, object?>("state", "pending")),
            new Measurement<long>(stats.Unacknowledged, new KeyValuePair<string, object?>("state", "unacknowledged")),
        ];
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge() =>
        Current() is { } stats ? [new Measurement<double>(stats.OldestAge?.TotalSeconds ?? 0)] : [];
}
