using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HubSyncWorker.Reporting;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Demo;

/// <summary>
/// Listens to one worker's own metrics (its <see cref="IMeterFactory"/> only, so parallel workers in tests do not mix): the status
/// transitions the worker decided, with their source bucket, and what the webhook endpoint did with each event (queued, echo ignored…).
/// </summary>
internal sealed class WorkerSignals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string From, string To, string Source), long> _transitions = new();
    private readonly ConcurrentDictionary<string, long> _webhookEvents = new(StringComparer.Ordinal);
    private volatile bool _recordTransitions;

    public WorkerSignals(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && ((instrument.Meter.Name == SyncMetrics.MeterName && instrument.Name == "hubsync.stage.transitions")
                    || (instrument.Meter.Name == WebhookMetrics.MeterName && instrument.Name == "hubsync.webhook.events")))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Start tallying transitions (after the resync, whose decisions its own report holds).</summary>
    public void RecordTransitionsFromNowOn() => _recordTransitions = true;

    /// <summary>The transitions decided since <see cref="RecordTransitionsFromNowOn"/>.</summary>
    public IReadOnlyList<FunnelTransition> Transitions() =>
        [.. _transitions.Select(t => new FunnelTransition(t.Key.From, t.Key.To, t.Key.Source, (int)t.Value))
            .OrderBy(t => t.From, StringComparer.Ordinal).ThenBy(t => t.To, StringComparer.Ordinal).ThenBy(t => t.SourceBucket, StringComparer.Ordinal)];

    /// <summary>Webhook events the endpoint handled with <paramref name="outcome"/> (<c>queued</c>, <c>ignored_echo</c>, <c>duplicate</c>…).</summary>
    public long WebhookEvents(string outcome) => _webhookEvents.GetValueOrDefault(outcome);

    /// <summary>Webhook events by outcome.</summary>
    public IReadOnlyDictionary<string, long> WebhookEventsByOutcome => new Dictionary<string, long>(_webhookEvents, StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Meter.Name == WebhookMetrics.MeterName)
        {
            var outcome = Tag(tags, "outcome") ?? "unknown";
            _webhookEvents.AddOrUpdate(outcome, value, (_, n) => n + value);
            return;
        }

        if (_recordTransitions)
        {
            var key = (Tag(tags, "from") ?? SyncReport.NoStatus, Tag(tags, "to") ?? "unknown", Tag(tags, "source") ?? "unknown");
            _transitions.AddOrUpdate(key, value, (_, n) => n + value);
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
