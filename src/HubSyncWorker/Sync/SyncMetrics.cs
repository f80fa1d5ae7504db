using System.Diagnostics.Metrics;

namespace HubSyncWorker.Sync;

/// <summary>Sync counters and histograms (exported at <c>/metrics</c> as <c>hubsync_*</c>).</summary>
internal sealed class SyncMetrics
{
    public const string MeterName = "HubSyncWorker.Sync";

    private readonly Counter<long> _evaluations;
    private readonly Counter<long> _contactsWritten;
    private readonly Counter<long> _writesSkipped;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _notFound;
    private readonly Histogram<double> _queueLatency;

    public SyncMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _evaluations = meter.CreateCounter<long>("hubsync.evaluations", "{contact}", "Contacts evaluated by the policy, by origin (resync, queue).");
        _contactsWritten = meter.CreateCounter<long>("hubsync.writes", "{contact}", "Contacts written back to HubSpot.");
        _writesSkipped = meter.CreateCounter<long>("hubsync.writes.skipped", "{contact}", "Evaluated contacts not written because HubSpot already holds the decision.");
        _transitions = meter.CreateCounter<long>("hubsync.stage.transitions", "{contact}", "Changes of the worker's status, by from, to and source bucket (the funnel).");
        _deadLetters = meter.CreateCounter<long>("hubsync.dead_letters", "{contact}", "Writes HubSpot rejected for good (validation errors), by category.");
        _notFound = meter.CreateCounter<long>("hubsync.contacts.not_found", "{contact}", "Contacts gone from HubSpot (deleted or merged away) when read or written.");
        _queueLatency = meter.CreateHistogram<double>("hubsync.queue.latency", "s", "Time from a contact being queued to its write-back (or no-op) being done.");
    }

    public void Evaluated(string origin, int count) => _evaluations.Add(count, new KeyValuePair<string, object?>("origin", origin));

    public void Written(int count) => _contactsWritten.Add(count);

    public void Skipped(int count) => _writesSkipped.Add(count);

    public void Transition(string from, string to, string source) => _transitions.Add(1,
        new KeyValuePair<string, object?>("from", from),
        new KeyValuePair<string, object?>("to", to),
        new KeyValuePair<string, object?>("source", source));

    public void DeadLettered(string category) => _deadLetters.Add(1, new KeyValuePair<string, object?>("category", category));

    public void NotFound(int count) => _notFound.Add(count);

    public void QueueLatency(TimeSpan latency) => _queueLatency.Record(latency.TotalSeconds);
}
