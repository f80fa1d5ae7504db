using System.Runtime.CompilerServices;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Evaluates contacts against one compiled policy (<see cref="QualificationPolicy.Evaluate"/>): scores, stage, lead status
/// and source bucket, with no I/O, no clock and no shared state.
/// </summary>
/// <remarks>
/// The hot path of the worker. <see cref="Evaluate"/> keeps its buffers on the stack (so it allocates only the decision)
/// and does not build the reason (the decision builds it when read). Keep its shape when changing it: docs/benchmarks.md
/// ("Policy evaluation") records what was tried, including moving the buffers or the gathering elsewhere, and what it cost.
/// </remarks>
internal sealed class PolicyEvaluator(
    string version,
    ScoreWeightsOptions weights,
    int fitMax,
    PropertySlots slots,
    ScoringRules rules,
    ConversionMatching conversions,
    EngagementDecay decay,
    LifecycleStages lifecycle,
    LeadStatusRules leadStatus,
    SourceBuckets buckets,
    ReasonText reasons)
{
    private readonly double _fitWeight = weights.FitWeight;
    private readonly double _engagementWeight = weights.EngagementWeight;

    /// <summary>Evaluates one contact at <paramref name="now"/>.</summary>
    [SkipLocalsInit]
    public QualificationDecision Evaluate(ContactSnapshot contact, DateTimeOffset now)
    {
        var buffer = default(PropertyValues);
        Span<string?> values = slots.Count <= PropertyValues.Capacity ? buffer : new string?[slots.Count];
        values = values[..slots.Count];
        slots.Gather(contact.Properties, values);
        Span<FiredEntry> firedRules = stackalloc FiredEntry[rules.Count];
        Span<bool> ruleFired = stackalloc bool[rules.Count];
        ruleFired.Clear(); // read by AllOf rules for rules that did not fire (the other buffers are read only where written)
        Span<bool> textMatched = stackalloc bool[rules.Count];
        rules.MatchProperties(values, textMatched);

        // Each conversion name is matched once against every conversion keyword and pattern.
        var names = contact.ConversionNames;
        Span<ulong> masks = names.Count <= 128 ? stackalloc ulong[names.Count] : new ulong[names.Count];
        var handRaiser = conversions.Match(names, masks);

        var inputs = new RuleInputs(values, masks, textMatched, now);
        var fired = 0;
        var fit = Math.Clamp(rules.ScoreFit(in inputs, ruleFired, firedRules, ref fired), 0, fitMax);
        var fitFired = fired;
        var engagementRaw = rules.ScoreEngagement(in inputs, ruleFired, firedRules, ref fired, out var positiveEngagement);
        var scoredFired = fired;
        var lastEngagement = decay.LastEngagement(values);
        var engagement = decay.Score(engagementRaw, lastEngagement, now);
        var score = (int)Math.Clamp(Math.Round((_fitWeight * fit) + (_engagementWeight * engagement), MidpointRounding.AwayFromZero), 0, 100);

        var disqualifiedBy = rules.FireDisqualifiers(in inputs, firedRules, ref fired);
        var current = lifecycle.Current(values);
        var advocacyRule = current.IsCustomer ? rules.FireAdvocacySignals(in inputs, firedRules, ref fired) : -1;
        var scored = new ScoredContact(fit, engagement, engagementRaw, positiveEngagement, handRaiser, names.Count, contact.AssociatedDealCount, lastEngagement);
        var stage = lifecycle.Decide(values, in scored, current, disqualifiedBy >= 0, advocacyRule >= 0, now);

        // The reason and the fired-rule list are built from these facts when they are read (see QualificationDecision).
        var facts = new ReasonFacts(stage.Status, stage.Cause, disqualifiedBy, advocacyRule, stage.BelowSince, fit, engagement, engagementRaw, fitFired, scoredFired);
        return new QualificationDecision(contact.Id, fit, engagement, score, stage.Status, stage.Target, stage.Regression,
            leadStatus.ToSet(stage.Status, values), buckets.Of(values, names, masks), stage.MqlDate, stage.BelowSince, version, reasons,
            in facts, firedRules[..fired]);
    }
}
