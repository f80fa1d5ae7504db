using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Where each list sits in the policy's rule array: fit rules from 0, then engagement rules, disqualifiers and advocacy
/// signals, each list ending where the next begins.
/// </summary>
internal readonly record struct RuleRanges(int FitEnd, int EngagementEnd, int DisqualifierEnd, int Count)
{
    public bool IsFit(int rule) => rule < FitEnd;

    public bool IsDisqualifier(int rule) => rule >= EngagementEnd && rule < DisqualifierEnd;

    /// <summary>
    /// The policy's rules in evaluation order. Within a score set, plain rules run first, then OtherConversions (needs the
    /// matched conversions), then AllOf combinations (need the rules they combine).
    /// </summary>
    public static CompiledRule[] Order(QualificationPolicyOptions options, out RuleRanges ranges)
    {
        var rules = new List<CompiledRule>();
        rules.AddRange(options.Fit.Rules.Select(r => new CompiledRule(r)).OrderBy(r => r.Pass));
        var fitEnd = rules.Count;
        rules.AddRange(options.Engagement.Rules.Select(r => new CompiledRule(r)).OrderBy(r => r.Pass));
        var engagementEnd = rules.Count;
        ResolveAllOf(rules, 0, fitEnd);
        ResolveAllOf(rules, fitEnd, engagementEnd);
        rules.AddRange(options.Disqualifiers.Select(r => new CompiledRule(r)));
        var disqualifierEnd = rules.Count;
        rules.AddRange(options.Evangelist.Signals.Select(r => new CompiledRule(r)));
        ranges = new RuleRanges(fitEnd, engagementEnd, disqualifierEnd, rules.Count);
        return [.. rules];
    }

    private static void ResolveAllOf(List<CompiledRule> rules, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (rules[i].Kind == RuleKind.AllOf)
            {
                rules[i].RuleIndexes = [.. rules[i].RuleIds.Select(id => rules.FindIndex(start, end - start, r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)))];
            }
        }
    }
}
