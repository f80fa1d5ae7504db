using System.Collections.Concurrent;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Sync;

/// <summary>A contact whose status changes, kept as an example in reports.</summary>
internal sealed record TransitionSample(string ContactId, string From, string To, string SourceBucket, string Reason, IReadOnlyDictionary<string, string> Changes);

/// <summary>
/// Tallies what a sync run decided: transitions of the worker's status ("lead→mql"), statuses and source buckets (the funnel),
/// and how many contacts needed a write. Thread-safe; counts come from the decisions, not from a second pass over HubSpot.
/// </summary>
internal sealed class SyncReport(int samplesPerTransition)
{
    /// <summary>The status of a contact the worker never evaluated before.</summary>
    public const string NoStatus = "none";

    private readonly ConcurrentDictionary<(string From, string To), int> _transitions = new();
    private readonly ConcurrentDictionary<(string Status, string Source), int> _funnel = new();
    private readonly ConcurrentDictionary<(string From, string To), ConcurrentQueue<TransitionSample>> _samples = new();
    private long _evaluated;
    private long _changed;

    public long Evaluated => Interlocked.Read(ref _evaluated);

    /// <summary>Contacts with at least one property to write.</summary>
    public long Changed => Interlocked.Read(ref _changed);

    /// <summary>Contacts whose decision HubSpot already holds (no write).</summary>
    public long Unchanged => Evaluated - Changed;

    public void Record(string? previousStatus, QualificationDecision decision, WriteBackPlan plan)
    {
        Interlocked.Increment(ref _evaluated);
        if (plan.HasChanges)
        {
            Interlocked.Increment(ref _changed);
        }

        var from = string.IsNullOrWhiteSpace(previousStatus) ? NoStatus : previousStatus;
        var to = decision.Status.ToPropertyValue();
        _funnel.AddOrUpdate((to, decision.SourceBucket), 1, static (_, n) => n + 1);
        if (from == to)
        {
            return;
        }

        _transitions.AddOrUpdate((from, to), 1, static (_, n) => n + 1);
        if (samplesPerTransition > 0)
        {
            var samples = _samples.GetOrAdd((from, to), static _ => new ConcurrentQueue<TransitionSample>());
            if (samples.Count < samplesPerTransition)
            {
                samples.Enqueue(new TransitionSample(decision.ContactId, from, to, decision.SourceBucket, decision.Reason, plan.Changes));
            }
        }
    }

    /// <summary>Transitions, most frequent first (e.g. <c>lead→mql: 132</c>).</summary>
    public IReadOnlyList<(string From, string To, int Count)> Transitions() =>
        [.. _transitions.Select(p => (p.Key.From, p.Key.To, p.Value)).OrderByDescending(t => t.Value).ThenBy(t => t.From, StringComparer.Ordinal).ThenBy(t => t.To, StringComparer.Ordinal)];

    /// <summary>Contacts per status and source bucket after the run's decisions.</summary>
    public IReadOnlyList<(string Status, string Source, int Count)> Funnel() =>
        [.. _funnel.Select(p => (p.Key.Status, p.Key.Source, p.Value)).OrderBy(f => f.Status, StringComparer.Ordinal).ThenBy(f => f.Source, StringComparer.Ordinal)];

    public IReadOnlyList<TransitionSample> Samples() =>
        [.. _samples.OrderBy(p => p.Key.From, StringComparer.Ordinal).ThenBy(p => p.Key.To, StringComparer.Ordinal).SelectMany(p => p.Value)];

    /// <summary>One line per transition: <c>132 lead→mql, 9 mql→recycled</c>.</summary>
    public string TransitionSummary()
    {
        var transitions = Transitions();
        return transitions.Count == 0 ? "no status changes" : string.Join(", ", transitions.Select(t => $"{t.Count} {t.From}→{t.To}"));
    }
}
