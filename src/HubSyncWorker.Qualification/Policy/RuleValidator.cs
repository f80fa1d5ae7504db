using System.Text.RegularExpressions;
using static HubSyncWorker.Qualification.Policy.PolicyChecks;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>Checks a list of rules (fit, engagement, disqualifiers, advocacy signals): ids unique across the policy, then each rule by its kind.</summary>
internal static class RuleValidator
{
    /// <param name="errors">Where errors go.</param>
    /// <param name="ids">Rule ids seen so far in the policy (case-insensitive), with the path that first used each.</param>
    /// <param name="rules">The list.</param>
    /// <param name="path">The list's configuration path.</param>
    /// <param name="scored">A score set's list: every rule must give points.</param>
    public static void Validate(List<PolicyError> errors, Dictionary<string, string> ids, List<RuleOptions>? rules, string path, bool scored)
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

            UniqueId(errors, ids, rule, rulePath);
            var kind = RuleKinds.Normalise(rule.Kind);
            if (kind is null)
            {
                errors.Add(new($"{rulePath}:Kind", rule.Kind, $"unknown rule kind (expected one of {string.Join(", ", RuleKinds.All)})"));
                continue;
            }

            Common(errors, rule, kind, rulePath, scored);
            ByKind(errors, rules, rule, kind, rulePath);
        }
    }

    private static void UniqueId(List<PolicyError> errors, Dictionary<string, string> ids, RuleOptions rule, string rulePath)
    {
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
    }

    /// <summary>The settings whose meaning does not depend on the kind: caps, points, Negate and PointsPerUnit where they apply.</summary>
    private static void Common(List<PolicyError> errors, RuleOptions rule, string kind, string rulePath, bool scored)
    {
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
    }

    private static void ByKind(List<PolicyError> errors, List<RuleOptions> rules, RuleOptions rule, string kind, string rulePath)
    {
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
                EmailDomain(errors, rule, rulePath);
                break;
            case RuleKinds.Range:
                Range(errors, rule, rulePath);
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
                Conversion(errors, rule, rulePath);
                break;
            case RuleKinds.OtherConversions:
                PropertyName(errors, rule.Property, $"{rulePath}:Property");
                break;
            case RuleKinds.AllOf:
                AllOf(errors, rules, rule, rulePath);
                break;
        }
    }

    private static void EmailDomain(List<PolicyError> errors, RuleOptions rule, string rulePath)
    {
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
    }

    private static void Range(List<PolicyError> errors, RuleOptions rule, string rulePath)
    {
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
    }

    private static void Conversion(List<PolicyError> errors, RuleOptions rule, string rulePath)
    {
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
    }

    private static void AllOf(List<PolicyError> errors, List<RuleOptions> rules, RuleOptions rule, string rulePath)
    {
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
}
