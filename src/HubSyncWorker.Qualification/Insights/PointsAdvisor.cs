using System.Globalization;

namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// Suggested points for each scoring rule with enough data, from its measured MQL→SQL lift: the points are scaled by the lift
/// (by its inverse for a rule that removes points), by a factor of at most <see cref="MaxFactor"/>; a rule whose interval contains
/// 1 is halved toward 0. A suggestion keeps the rule's sign and at least 1 point (the policy needs non-zero points) and stays within
/// its score set's maximum. Disqualifiers, rules without points (PointsPerUnit only) and rules without enough data get none.
/// </summary>
internal static class PointsAdvisor
{
    /// <summary>The most a rule's points are multiplied by in one suggestion, so one analysis never swings a policy.</summary>
    public const double MaxFactor = 2;

    public static IReadOnlyList<PointsSuggestion> Suggest(PolicyRules rules, IReadOnlyList<SignalLift> lifts)
    {
        var suggestions = new List<PointsSuggestion>();
        foreach (var lift in lifts)
        {
            var index = rules.IndexOf(lift.Name);
            if (index < 0 || rules.All[index] is not { Role: not RuleRole.Disqualifier, Points: not 0 } rule || !lift.EnoughData
                || lift.Step(FunnelStep.MqlToSql) is not { Lift: { } measured } step)
            {
                continue;
            }

            var basis = string.Create(CultureInfo.InvariantCulture,
                $"MQL→SQL lift {measured.Ratio:0.00} (95 % {measured.Low:0.00}–{measured.High:0.00}; {step.With.Eligible} with, {step.Without.Eligible} without)");
            int suggested;
            string why;
            if (measured.IncludesNoEffect)
            {
                suggested = rule.Points / 2;
                why = $"{basis}: no evidence it predicts SQLs, halved toward 0";
            }
            else
            {
                var factor = rule.Points > 0 ? measured.Ratio : 1 / measured.Ratio;
                var capped = Math.Min(factor, MaxFactor);
                suggested = (int)Math.Round(rule.Points * capped, MidpointRounding.AwayFromZero);
                why = string.Create(CultureInfo.InvariantCulture, $"{basis}: points × {capped:0.00}{(capped < factor ? $" (capped at × {MaxFactor:0})" : "")}");
            }

            suggested = Math.Sign(rule.Points) * Math.Clamp(Math.Abs(suggested), 1, Math.Max(1, rule.SetMaxScore));
            suggestions.Add(new PointsSuggestion(rule.Id, rule.Points, suggested, why));
        }

        return suggestions;
    }
}
