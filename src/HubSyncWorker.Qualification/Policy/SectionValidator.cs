using static HubSyncWorker.Qualification.Policy.PolicyChecks;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>Checks each section of a policy whose sections are all present; <see cref="PolicyValidator"/> runs them in order.</summary>
internal static class SectionValidator
{
    /// <summary>The score sets' caps and every rule list (ids unique across them all), within the matcher's limits.</summary>
    public static void RuleLists(List<PolicyError> errors, QualificationPolicyOptions options, string root)
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fitMax = options.Fit.MaxScore;
        if (fitMax is < 1 or > 100)
        {
            errors.Add(new($"{root}:Fit:MaxScore", Str(fitMax), "must be between 1 and 100"));
        }

        var engagementMax = options.Engagement.MaxScore;
        if (engagementMax is < 1 or > 1000)
        {
            errors.Add(new($"{root}:Engagement:MaxScore", Str(engagementMax), "must be between 1 and 1000"));
        }

        RuleValidator.Validate(errors, ids, options.Fit.Rules, $"{root}:Fit:Rules", scored: true);
        RuleValidator.Validate(errors, ids, options.Engagement.Rules, $"{root}:Engagement:Rules", scored: true);
        if ((options.Fit.Rules?.Count ?? 0) == 0 && (options.Engagement.Rules?.Count ?? 0) == 0)
        {
            // Typically a few values set in configuration, read as a whole policy in place of the default.
            errors.Add(new($"{root}:Fit:Rules", "[]", "the policy has no fit and no engagement rules, so it would score nothing"));
        }

        // The conversion keywords, the hand-raiser keywords and the offer buckets share 64-bit masks (ConversionMatching).
        var conversionRules = (options.Fit.Rules ?? []).Concat(options.Engagement.Rules ?? []).Count(r => RuleKinds.Normalise(r?.Kind) == RuleKinds.Conversion);
        if (conversionRules > 63)
        {
            errors.Add(new($"{root}:Engagement:Rules", Str(conversionRules), "at most 63 Conversion rules in Fit and Engagement together"));
        }

        if (options.SourceBucket.Offers is { Count: > 64 } offers)
        {
            errors.Add(new($"{root}:SourceBucket:Offers", Str(offers.Count), "at most 64 offer buckets"));
        }

        RuleValidator.Validate(errors, ids, options.Disqualifiers, $"{root}:Disqualifiers", scored: false);
        RuleValidator.Validate(errors, ids, options.Evangelist.Signals, $"{root}:Evangelist:Signals", scored: false);
    }

    /// <summary>Engagement decay and the score weights.</summary>
    public static void DecayAndWeights(List<PolicyError> errors, QualificationPolicyOptions options, string root)
    {
        if (!double.IsFinite(options.Engagement.DecayHalfLifeDays) || options.Engagement.DecayHalfLifeDays < 0)
        {
            errors.Add(new($"{root}:Engagement:DecayHalfLifeDays", Str(options.Engagement.DecayHalfLifeDays), "must be 0 (no decay) or a positive number of days"));
        }

        PropertyNames(errors, options.Engagement.LastEngagementProperties, $"{root}:Engagement:LastEngagementProperties", allowEmpty: true);

        Weight(errors, options.Score.FitWeight, $"{root}:Score:FitWeight");
        Weight(errors, options.Score.EngagementWeight, $"{root}:Score:EngagementWeight");
        if (options.Score.FitWeight + options.Score.EngagementWeight <= 0)
        {
            errors.Add(new($"{root}:Score", Str(options.Score.FitWeight + options.Score.EngagementWeight), "FitWeight + EngagementWeight must be positive"));
        }
    }

    /// <summary><c>Lead</c>, <c>Mql</c>, <c>Sql</c>, <c>Opportunity</c> and <c>Recycle</c>: the stage tests' properties and thresholds.</summary>
    public static void StageTests(List<PolicyError> errors, QualificationPolicyOptions options, string root)
    {
        PropertyName(errors, options.Lead.ConversionCountProperty, $"{root}:Lead:ConversionCountProperty");
        if (options.Lead.MinConversions < 0)
        {
            errors.Add(new($"{root}:Lead:MinConversions", Str(options.Lead.MinConversions), "must be 0 or more"));
        }

        Threshold(errors, options.Mql.MinFit, options.Fit.MaxScore, $"{root}:Mql:MinFit");
        Threshold(errors, options.Mql.MinEngagement, options.Engagement.MaxScore, $"{root}:Mql:MinEngagement");
        Threshold(errors, options.Sql.MinFit, options.Fit.MaxScore, $"{root}:Sql:MinFit");
        Keywords(errors, options.Sql.HandRaiserKeywords, $"{root}:Sql:HandRaiserKeywords", allowEmpty: false);
        Keywords(errors, options.Sql.LeadStatuses, $"{root}:Sql:LeadStatuses", allowEmpty: true);

        PropertyName(errors, options.Opportunity.DealsProperty, $"{root}:Opportunity:DealsProperty");
        PropertyName(errors, options.Opportunity.BudgetProperty, $"{root}:Opportunity:BudgetProperty");
        PropertyName(errors, options.Opportunity.TimelineProperty, $"{root}:Opportunity:TimelineProperty");
        if (options.Opportunity.MinDeals < 1)
        {
            errors.Add(new($"{root}:Opportunity:MinDeals", Str(options.Opportunity.MinDeals), "must be 1 or more"));
        }

        NonNegative(errors, options.Opportunity.MinBudget, $"{root}:Opportunity:MinBudget");
        NonNegative(errors, options.Opportunity.MaxTimelineMonths, $"{root}:Opportunity:MaxTimelineMonths");

        if (options.Recycle.WindowDays < 0)
        {
            errors.Add(new($"{root}:Recycle:WindowDays", Str(options.Recycle.WindowDays), "must be 0 or more days"));
        }
    }

    public static void Lifecycle(List<PolicyError> errors, LifecycleOptions lifecycle, string path)
    {
        PropertyName(errors, lifecycle.Property, $"{path}:Property");
        var order = lifecycle.Order is { Count: > 0 } ? lifecycle.Order : PolicyValidator.DefaultLifecycleOrder;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(order[i]))
            {
                errors.Add(new($"{path}:Order:{i}", order[i], "a stage value cannot be empty"));
            }
            else if (!seen.TryAdd(order[i], i))
            {
                errors.Add(new($"{path}:Order:{i}", order[i], "duplicate stage"));
            }
        }

        if (lifecycle.Stages is null)
        {
            errors.Add(new($"{path}:Stages", null, "is required"));
            return;
        }

        var stages = new (string Name, string? Value)[]
        {
            ("Contact", lifecycle.Stages.Contact), ("Lead", lifecycle.Stages.Lead), ("Mql", lifecycle.Stages.Mql), ("Sql", lifecycle.Stages.Sql),
            ("Opportunity", lifecycle.Stages.Opportunity), ("Customer", lifecycle.Stages.Customer), ("Evangelist", lifecycle.Stages.Evangelist),
        };
        var previous = -1;
        string? previousName = null;
        foreach (var (name, value) in stages)
        {
            if (value is null || !seen.TryGetValue(value, out var index))
            {
                errors.Add(new($"{path}:Stages:{name}", value, $"unknown stage name (not in the lifecycle order: {string.Join(", ", order)})"));
                continue;
            }

            if (index <= previous)
            {
                errors.Add(new($"{path}:Stages:{name}", value, $"must come after the {previousName} stage in the lifecycle order"));
            }

            previous = index;
            previousName = name;
        }
    }

    public static void LeadStatus(List<PolicyError> errors, LeadStatusOptions leadStatus, string path)
    {
        PropertyName(errors, leadStatus.Property, $"{path}:Property");
        Keywords(errors, leadStatus.SalesOwned, $"{path}:SalesOwned", allowEmpty: true);
        foreach (var (name, value) in new[] { ("NewValue", leadStatus.NewValue), ("OpenValue", leadStatus.OpenValue), ("UnqualifiedValue", leadStatus.UnqualifiedValue) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new($"{path}:{name}", value, "is required"));
            }
            else if (leadStatus.SalesOwned?.Contains(value, StringComparer.OrdinalIgnoreCase) == true)
            {
                errors.Add(new($"{path}:{name}", value, "the worker cannot write a status that sales own (it is in SalesOwned)"));
            }
        }
    }

    public static void SourceBucket(List<PolicyError> errors, SourceBucketOptions bucket, string path)
    {
        PropertyName(errors, bucket.SourceProperty, $"{path}:SourceProperty");
        PropertyName(errors, bucket.OfferProperty, $"{path}:OfferProperty");
        foreach (var (name, value) in new[] { ("OtherSource", bucket.OtherSource), ("UnknownSource", bucket.UnknownSource), ("OtherOffer", bucket.OtherOffer), ("NoOffer", bucket.NoOffer) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new($"{path}:{name}", value, "is required"));
            }
        }

        foreach (var (source, target) in bucket.Sources ?? [])
        {
            if (string.IsNullOrWhiteSpace(target))
            {
                errors.Add(new($"{path}:Sources:{source}", target, "a bucket name is required"));
            }
        }

        for (var i = 0; i < (bucket.Offers?.Count ?? 0); i++)
        {
            var offer = bucket.Offers![i];
            if (string.IsNullOrWhiteSpace(offer?.Bucket))
            {
                errors.Add(new($"{path}:Offers:{i}:Bucket", offer?.Bucket, "is required"));
            }

            Keywords(errors, offer?.Keywords, $"{path}:Offers:{i}:Keywords", allowEmpty: false);
        }
    }

    public static void Output(List<PolicyError> errors, OutputOptions output, string path)
    {
        if (string.IsNullOrEmpty(output.Prefix) || !IsInternalName(output.Prefix))
        {
            errors.Add(new($"{path}:Prefix", output.Prefix, "must be lowercase letters, digits or underscores, starting with a letter"));
        }

        if (string.IsNullOrEmpty(output.GroupName) || !IsInternalName(output.GroupName))
        {
            errors.Add(new($"{path}:GroupName", output.GroupName, "must be lowercase letters, digits or underscores, starting with a letter"));
        }

        if (string.IsNullOrWhiteSpace(output.GroupLabel))
        {
            errors.Add(new($"{path}:GroupLabel", output.GroupLabel, "is required"));
        }
    }
}
