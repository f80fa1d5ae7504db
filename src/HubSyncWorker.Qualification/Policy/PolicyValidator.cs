using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>One policy error: the configuration path, the offending value and what is wrong.</summary>
public sealed record PolicyError(string Path, string? Value, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} = '{Value ?? "(null)"}': {Message}";
}

/// <summary>Rule kinds understood by the policy.</summary>
public static class RuleKinds
{
    public const string EqualsKind = "Equals";
    public const string In = "In";
    public const string Contains = "Contains";
    public const string EmailDomain = "EmailDomain";
    public const string Range = "Range";
    public const string HasValue = "HasValue";
    public const string WithinDays = "WithinDays";
    public const string Conversion = "Conversion";
    public const string OtherConversions = "OtherConversions";
    public const string AllOf = "AllOf";

    /// <summary>Every kind, as written in a policy.</summary>
    public static IReadOnlyList<string> All { get; } = [EqualsKind, In, Contains, EmailDomain, Range, HasValue, WithinDays, Conversion, OtherConversions, AllOf];

    internal static string? Normalise(string? kind)
    {
        foreach (var known in All)
        {
            if (string.Equals(known, kind?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }
}

/// <summary>Checks a whole policy and reports every error at once, each naming its configuration path and value.</summary>
public static class PolicyValidator
{
    /// <summary>HubSpot's default lifecycle stage order, used when <see cref="LifecycleOptions.Order"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultLifecycleOrder { get; } =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    /// <summary>Validates <paramref name="options"/>; an empty list means valid.</summary>
    public static IReadOnlyList<PolicyError> Validate(QualificationPolicyOptions options, string root = QualificationPolicyOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<PolicyError>();
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        if (Null(errors, options.Fit, $"{root}:Fit") | Null(errors, options.Engagement, $"{root}:Engagement")
            | Null(errors, options.Score, $"{root}:Score") | Null(errors, options.Lifecycle, $"{root}:Lifecycle")
            | Null(errors, options.Lead, $"{root}:Lead") | Null(errors, options.Mql, $"{root}:Mql") | Null(errors, options.Sql, $"{root}:Sql")
            | Null(errors, options.Opportunity, $"{root}:Opportunity") | Null(errors, options.Evangelist, $"{root}:Evangelist")
            | Null(errors, options.Recycle, $"{root}:Recycle") | Null(errors, options.LeadStatus, $"{root}:LeadStatus")
            | Null(errors, options.SourceBucket, $"{root}:SourceBucket") | Null(errors, options.Output, $"{root}:Output"))
        {
            return errors;
        }

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

        ValidateRules(errors, ids, options.Fit.Rules, $"{root}:Fit:Rules", scored: true);
        ValidateRules(errors, ids, options.Engagement.Rules, $"{root}:Engagement:Rules", scored: true);
        if ((options.Fit.Rules?.Count ?? 0) == 0 && (options.Engagement.Rules?.Count ?? 0) == 0)
        {
            // Typically a few values set in configuration, read as a whole policy in place of the default.
            errors.Add(new($"{root}:Fit:Rules", "[]", "the policy has no fit and no engagement rules, so it would score nothing"));
        }
        var conversionRules = (options.Fit.Rules ?? []).Concat(options.Engagement.Rules ?? []).Count(r => RuleKinds.Normalise(r?.Kind) == RuleKinds.Conversion);
        if (conversionRules > 63)
        {
            errors.Add(new($"{root}:Engagement:Rules", Str(conversionRules), "at most 63 Conversion rules in Fit and Engagement together"));
        }

        if (options.SourceBucket.Offers is { Count: > 64 } offers)
        {
            errors.Add(new($"{root}:SourceBucket:Offers", Str(offers.Count), "at most 64 offer buckets"));
        }

        ValidateRules(errors, ids, options.Disqualifiers, $"{root}:Disqualifiers", scored: false);
        ValidateRules(errors, ids, options.Evangelist.Signals, $"{root}:Evangelist:Signals", scored: false);

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

        ValidateLifecycle(errors, options.Lifecycle, $"{root}:Lifecycle");

        PropertyName(errors, options.Lead.ConversionCountProperty, $"{root}:Lead:ConversionCountProperty");
        if (options.Lead.MinConversions < 0)
        {
            errors.Add(new($"{root}:Lead:MinConversions", Str(options.Lead.MinConversions), "must be 0 or more"));
        }

        Threshold(errors, options.Mql.MinFit, fitMax, $"{root}:Mql:MinFit");
        Threshold(errors, options.Mql.MinEngagement, engagementMax, $"{root}:Mql:MinEngagement");
        Threshold(errors, options.Sql.MinFit, fitMax, $"{root}:Sql:MinFit");
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

        ValidateLeadStatus(errors, options.LeadStatus, $"{root}:LeadStatus");
        ValidateSourceBucket(errors, options.SourceBucket, $"{root}:SourceBucket");
        ValidateOutput(errors, options.Output, $"{root}:Output");
        return errors;
    }

    private static void ValidateRules(List<PolicyError> errors, Dictionary<string, string> ids, List<RuleOptions>? rules, string path, bool scored)
    {
        if (rules is null)
        {
            errors.Add(new(path, null, "is required (use [] for none)"));
            return;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var rulePath = $"{path}:{i}";
            var rule = rules[i];
            if (rule is null)
            {
                errors.Add(new(rulePath, null, "is empty"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                errors.Add(new($"{rulePath}:Id", rule.Id, "is required"));
            }
            else if (ids.TryGetValue(rule.Id.Trim(), out var firstPath))
            {
                errors.Add(new($"{rulePath}:Id", rule.Id, $"duplicate rule id (first used at {firstPath})"));
            }
            else
            {
                ids[rule.Id.Trim()] = $"{rulePath}:Id";
            }

            var kind = RuleKinds.Normalise(rule.Kind);
            if (kind is null)
            {
                errors.Add(new($"{rulePath}:Kind", rule.Kind, $"unknown rule kind (expected one of {string.Join(", ", RuleKinds.All)})"));
                continue;
            }

            if (rule.MaxPoints is < 0)
            {
                errors.Add(new($"{rulePath}:MaxPoints", Str(rule.MaxPoints.Value), "a cap cannot be negative"));
            }

            if (rule.MaxOccurrences is < 0)
            {
                errors.Add(new($"{rulePath}:MaxOccurrences", Str(rule.MaxOccurrences.Value), "a cap cannot be negative"));
            }

            if (scored && rule.Points == 0 && rule.PointsPerUnit == 0)
            {
                errors.Add(new($"{rulePath}:Points", Str(rule.Points), "a scoring rule needs non-zero Points (or PointsPerUnit)"));
            }

            if (rule.Negate && kind is not (RuleKinds.EqualsKind or RuleKinds.In or RuleKinds.Contains or RuleKinds.EmailDomain))
            {
                errors.Add(new($"{rulePath}:Negate", "true", $"Negate applies only to Equals, In, Contains and EmailDomain, not {kind}"));
            }

            if (rule.PointsPerUnit != 0 && kind != RuleKinds.Range)
            {
                errors.Add(new($"{rulePath}:PointsPerUnit", Str(rule.PointsPerUnit), "PointsPerUnit applies only to Range rules"));
            }

            switch (kind)
            {
                case RuleKinds.EqualsKind:
                    PropertyName(errors, rule.Property, $"{rulePath}:Property");
                    if (rule.Value is null)
                    {
                        errors.Add(new($"{rulePath}:Value", null, "is required for Equals"));
                    }

                    break;
                case RuleKinds.In:
                    PropertyName(errors, rule.Property, $"{rulePath}:Property");
                    Keywords(errors, rule.Values, $"{rulePath}:Values", allowEmpty: false);
                    break;
                case RuleKinds.Contains:
                    PropertyName(errors, rule.Property, $"{rulePath}:Property");
                    Keywords(errors, rule.Keywords, $"{rulePath}:Keywords", allowEmpty: false);
                    break;
                case RuleKinds.EmailDomain:
                    PropertyName(errors, rule.Property, $"{rulePath}:Property");
                    Keywords(errors, rule.Domains, $"{rulePath}:Domains", allowEmpty: false);
                    for (var d = 0; d < (rule.Domains?.Count ?? 0); d++)
                    {
                        var domain = rule.Domains![d];
                        if (!string.IsNullOrWhiteSpace(domain) && (domain.Contains('@', StringComparison.Ordinal) || domain.Contains(' ', StringComparison.Ordinal)))
                        {
                            errors.Add(new($"{rulePath}:Domains:{d}", domain, "must be a bare domain such as example.com"));
                        }
                    }

                    break;
                case RuleKinds.Range:
                    OneOrMoreProperties(errors, rule, rulePath);
                    if (rule.Min is null && rule.Max is null)
                    {
                        errors.Add(new($"{rulePath}:Min", null, "a Range needs Min, Max or both"));
                    }

                    if (rule.Min is { } min && rule.Max is { } max && min > max)
                    {
                        errors.Add(new($"{rulePath}:Max", Str(max), $"must be at least Min ({Str(min)})"));
                    }

                    if (rule.Min is { } m && !double.IsFinite(m))
                    {
                        errors.Add(new($"{rulePath}:Min", Str(m), "must be a finite number"));
                    }

                    if (rule.PointsPerUnit != 0 && rule.Min is null)
                    {
                        errors.Add(new($"{rulePath}:Min", null, "PointsPerUnit counts units above Min, so Min is required"));
                    }

                    break;
                case RuleKinds.HasValue:
                    if ((rule.Properties?.Count ?? 0) == 0 && (rule.AnyOfProperties?.Count ?? 0) == 0)
                    {
                        errors.Add(new($"{rulePath}:Properties", null, "HasValue needs Properties, AnyOfProperties or both"));
                    }

                    PropertyNames(errors, rule.Properties, $"{rulePath}:Properties", allowEmpty: true);
                    PropertyNames(errors, rule.AnyOfProperties, $"{rulePath}:AnyOfProperties", allowEmpty: true);
                    break;
                case RuleKinds.WithinDays:
                    OneOrMoreProperties(errors, rule, rulePath);
                    if (rule.Days is not { } days || !double.IsFinite(days) || days < 0)
                    {
                        errors.Add(new($"{rulePath}:Days", rule.Days is null ? null : Str(rule.Days.Value), "must be 0 or more days"));
                    }

                    break;
                case RuleKinds.Conversion:
                    if ((rule.Keywords?.Count ?? 0) == 0 && string.IsNullOrWhiteSpace(rule.Pattern))
                    {
                        errors.Add(new($"{rulePath}:Keywords", null, "a Conversion rule needs Keywords or a Pattern"));
                    }
                    else if (rule.Keywords is { Count: > 0 })
                    {
                        Keywords(errors, rule.Keywords, $"{rulePath}:Keywords", allowEmpty: false);
                    }

                    if (!string.IsNullOrWhiteSpace(rule.Pattern))
                    {
                        try
                        {
                            _ = new Regex(rule.Pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
                        }
                        catch (ArgumentException ex)
                        {
                            errors.Add(new($"{rulePath}:Pattern", rule.Pattern, $"invalid regular expression: {ex.Message}"));
                        }
                    }

                    break;
                case RuleKinds.OtherConversions:
                    PropertyName(errors, rule.Property, $"{rulePath}:Property");
                    break;
                case RuleKinds.AllOf:
                    Keywords(errors, rule.RuleIds, $"{rulePath}:RuleIds", allowEmpty: false);
                    for (var r = 0; r < (rule.RuleIds?.Count ?? 0); r++)
                    {
                        var id = rule.RuleIds![r]?.Trim();
                        var target = rules.Find(other => string.Equals(other?.Id?.Trim(), id, StringComparison.OrdinalIgnoreCase));
                        if (string.IsNullOrEmpty(id))
                        {
                            continue;
                        }

                        if (target is null)
                        {
                            errors.Add(new($"{rulePath}:RuleIds:{r}", id, "no rule with this id in the same list"));
                        }
                        else if (ReferenceEquals(target, rule) || RuleKinds.Normalise(target.Kind) == RuleKinds.AllOf)
                        {
                            errors.Add(new($"{rulePath}:RuleIds:{r}", id, "an AllOf rule cannot refer to itself or to another AllOf rule"));
                        }
                    }

                    break;
            }
        }
    }

    private static void OneOrMoreProperties(List<PolicyError> errors, RuleOptions rule, string rulePath)
    {
        var hasList = (rule.Properties?.Count ?? 0) > 0;
        if (!hasList)
        {
            PropertyName(errors, rule.Property, $"{rulePath}:Property");
        }
        else
        {
            PropertyNames(errors, rule.Properties, $"{rulePath}:Properties", allowEmpty: false);
        }
    }

    private static void ValidateLifecycle(List<PolicyError> errors, LifecycleOptions lifecycle, string path)
    {
        PropertyName(errors, lifecycle.Property, $"{path}:Property");
        var order = lifecycle.Order is { Count: > 0 } ? lifecycle.Order : DefaultLifecycleOrder;
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

    private static void ValidateLeadStatus(List<PolicyError> errors, LeadStatusOptions leadStatus, string path)
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

    private static void ValidateSourceBucket(List<PolicyError> errors, SourceBucketOptions bucket, string path)
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

    private static void ValidateOutput(List<PolicyError> errors, OutputOptions output, string path)
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

    private static bool IsInternalName(string name)
    {
        if (!char.IsAsciiLetterLower(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Null(List<PolicyError> errors, object? section, string path)
    {
        if (section is null)
        {
            errors.Add(new(path, null, "is required"));
            return true;
        }

        return false;
    }

    private static void PropertyName(List<PolicyError> errors, string? name, string path)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new(path, name, "a property name is required"));
        }
        else if (name.Trim() != name || name.Contains(' ', StringComparison.Ordinal))
        {
            errors.Add(new(path, name, "a property name cannot contain spaces"));
        }
    }

    private static void PropertyNames(List<PolicyError> errors, List<string>? names, string path, bool allowEmpty)
    {
        if (names is null || names.Count == 0)
        {
            if (!allowEmpty)
            {
                errors.Add(new(path, null, "needs at least one property"));
            }

            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            PropertyName(errors, names[i], $"{path}:{i}");
        }
    }

    private static void Keywords(List<PolicyError> errors, List<string>? values, string path, bool allowEmpty)
    {
        if (values is null || values.Count == 0)
        {
            if (!allowEmpty)
            {
                errors.Add(new(path, values is null ? null : "[]", "the list cannot be empty"));
            }

            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Add(new($"{path}:{i}", values[i], "an entry cannot be empty"));
            }
        }
    }

    private static void Threshold(List<PolicyError> errors, int value, int max, string path)
    {
        if (value < 0 || value > max)
        {
            errors.Add(new(path, Str(value), $"threshold out of range (0..{Str(max)})"));
        }
    }

    private static void Weight(List<PolicyError> errors, double value, string path)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            errors.Add(new(path, Str(value), "must be between 0 and 1"));
        }
    }

    private static void NonNegative(List<PolicyError> errors, double value, string path)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            errors.Add(new(path, Str(value), "must be 0 or more"));
        }
    }

    private static string Str(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Start-up validation of the bound options (<c>AddOptionsWithValidateOnStart</c>): every error, each with its key and value.</summary>
public sealed class QualificationPolicyOptionsValidator : IValidateOptions<QualificationPolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, QualificationPolicyOptions options)
    {
        var errors = PolicyValidator.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }
}
