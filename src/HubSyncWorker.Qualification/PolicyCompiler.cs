using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification;

/// <summary>Everything a validated policy compiles to: the evaluator, the write-back diff and what the host must read.</summary>
/// <param name="Evaluator">Evaluates contacts.</param>
/// <param name="WriteBack">Diffs a decision against HubSpot's values.</param>
/// <param name="RequiredProperties">Every property the policy reads, sorted ordinally.</param>
/// <param name="OutputNames">The output property names.</param>
internal sealed record CompiledPolicy(PolicyEvaluator Evaluator, WriteBackDiff WriteBack, IReadOnlyList<string> RequiredProperties, OutputPropertyNames OutputNames);

/// <summary>
/// Compiles validated options once into the tables evaluation reads: rules in evaluation order, one value slot per property
/// read, the combined conversion matcher, the source bucket strings, the stage values and the reason's fixed pieces.
/// </summary>
internal static class PolicyCompiler
{
    /// <summary>Compiles <paramref name="options"/>, which <see cref="PolicyValidator"/> found valid.</summary>
    public static CompiledPolicy Compile(QualificationPolicyOptions options, string version)
    {
        var rules = RuleRanges.Order(options, out var ranges);
        var conversions = new ConversionMatching(rules, ranges, options.Sql.HandRaiserKeywords, options.SourceBucket.Offers);
        var outputs = OutputPropertyNames.WithPrefix(options.Output.Prefix);
        var slots = new PropertySlots(ReadProperties(options, rules, outputs));
        foreach (var rule in rules)
        {
            rule.ResolveSlots(slots.SlotOf);
        }

        var decay = new EngagementDecay(options.Engagement, slots);
        var lifecycle = new LifecycleStages(options, outputs, slots, new StageTests(options, slots), decay.HalfLife);
        var evaluator = new PolicyEvaluator(
            version,
            options.Score,
            options.Fit.MaxScore,
            slots,
            new ScoringRules(rules, ranges, conversions),
            conversions,
            decay,
            lifecycle,
            new LeadStatusRules(options.LeadStatus, slots),
            new SourceBuckets(options.SourceBucket, slots, conversions.OfferShift),
            new ReasonText(rules, ranges));
        var writeBack = new WriteBackDiff(outputs, options.Lifecycle.Property, options.LeadStatus.Property, options.Lifecycle.Stages);
        return new CompiledPolicy(evaluator, writeBack, slots.Names, outputs);
    }

    /// <summary>Every property the policy reads: the rules', the stage tests', lifecycle, lead status, source bucket and its own outputs.</summary>
    private static IEnumerable<string> ReadProperties(QualificationPolicyOptions options, CompiledRule[] rules, OutputPropertyNames outputs) =>
        rules.SelectMany(rule => rule.ReadProperties)
            .Concat(EngagementDecay.LastEngagementProperties(options.Engagement))
            .Concat([options.Lifecycle.Property, options.LeadStatus.Property, options.Lead.ConversionCountProperty, options.Opportunity.DealsProperty,
                options.Opportunity.BudgetProperty, options.Opportunity.TimelineProperty, options.SourceBucket.SourceProperty, options.SourceBucket.OfferProperty])
            .Concat(outputs.All);
}
