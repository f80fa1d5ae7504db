using System.Globalization;
using System.Text;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Insights;

/// <summary>
/// The terminal summary of an insights run: the funnel, the rules that predict and those that do not (lift with its 95 % interval),
/// sources and offers, calibration, threshold and points suggestions, the candidate comparison, and the HubSpot calls.
/// </summary>
internal static class InsightsText
{
    private const int TopRules = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(InsightsOutcome outcome) => Render(outcome, brief: false);

    /// <summary>The short form (the demo's section): funnel, rules, calibration and thresholds, calls; no per-group tables or points.</summary>
    public static string Summary(InsightsOutcome outcome) => Render(outcome, brief: true);

    private static string Render(InsightsOutcome outcome, bool brief)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var (report, collection) = (outcome.Report, outcome.Collection);
        var text = new StringBuilder();
        text.AppendLine(Inv, $"Insights on {report.Contacts:N0} contacts (policy {Short(report.PolicyVersion)}), analysed {report.AnalysedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(Inv, $"  read: {collection.Listed:N0} listed{(collection.PortalContacts is { } p ? string.Create(Inv, $" of {p:N0}") : "")}; {collection.WithRecordedScores:N0} from the scores recorded when qualified, {collection.ReadAtCutoff:N0} from their history as they were when qualified, {collection.FromLifecycleHistory:N0} dated from the lifecycle history, {collection.Unreadable:N0} left out");
        text.AppendLine();
        text.AppendLine("Funnel");
        foreach (var (step, rate) in report.Funnel.OrderBy(f => f.Key))
        {
            text.AppendLine(Inv, $"  {StepLabel(step),-22} {Percent(rate.Rate),7}  ({rate.Converted:N0} of {rate.Eligible:N0})");
        }

        AppendRules(text, report.Rules);
        if (!brief)
        {
            AppendGroups(text, "Original sources", report.Sources);
            AppendGroups(text, "First converting offers", report.Offers);
        }

        AppendCalibration(text, report.Calibration);
        if (report.Thresholds.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("MQL thresholds that would reach the target (on these contacts)");
            foreach (var t in report.Thresholds)
            {
                text.AppendLine(Inv, $"  {GoalLabel(t.Goal),-22} fit ≥ {t.FitThreshold}, engagement ≥ {t.EngagementThreshold}: {t.Mqls:N0} MQLs, {Percent(t.MqlToSql.Rate)} of them became SQL");
            }
        }

        if (report.Points.Count > 0 && !brief)
        {
            text.AppendLine();
            text.AppendLine("Suggested points per rule (suggestions only: write them with --suggest, review with `policy check`, try with `resync --dry-run`)");
            foreach (var points in report.Points.Where(p => p.SuggestedPoints != p.CurrentPoints).Take(TopRules * 2))
            {
                text.AppendLine(Inv, $"  {points.RuleId,-28} {points.CurrentPoints,4} → {points.SuggestedPoints,4}   {points.Why}");
            }

            if (report.Points.All(p => p.SuggestedPoints == p.CurrentPoints))
            {
                text.AppendLine("  none: every rule's points already match what its lift suggests");
            }
        }

        if (report.Comparison is { } comparison)
        {
            text.AppendLine();
            text.AppendLine("Candidate policy against the current one, on the same contacts");
            text.AppendLine(Inv, $"  {"",-22} {"MQLs",8} {"→ SQL",8} {"→ customer",11} {"SQLs missed",12}");
            AppendOutcome(text, "current " + Short(comparison.Current.PolicyVersion), comparison.Current);
            AppendOutcome(text, "candidate " + Short(comparison.Candidate.PolicyVersion), comparison.Candidate);
        }

        text.AppendLine();
        text.AppendLine(Inv, $"HubSpot calls: {collection.Calls.Describe()}");
        text.AppendLine(Inv, $"  estimated before the run: {collection.Estimate.Describe()}");
        text.AppendLine(Inv, $"  time: {collection.Calls.DescribeTime()}");
        return text.ToString();
    }

    private static void AppendRules(StringBuilder text, IReadOnlyList<SignalLift> rules)
    {
        var measured = rules.Select(r => (Rule: r, Step: Step(r, FunnelStep.MqlToSql))).Where(r => r.Step?.Lift is not null).ToList();
        text.AppendLine();
        text.AppendLine("Rules that predict SQLs (MQL→SQL lift = rate with the rule ÷ rate without, 95 % interval)");
        var predicting = measured.Where(r => !r.Rule.DoesNotPredict && !r.Step!.Lift!.IncludesNoEffect)
            .OrderByDescending(r => Math.Abs(Math.Log(r.Step!.Lift!.Ratio))).ToList();
        foreach (var (rule, step) in predicting)
        {
            text.AppendLine(Inv, $"  {rule.Name,-28} {LiftText(step!.Lift!),-22} with it {Percent(step.With.Rate)} of {step.With.Eligible:N0}, without {Percent(step.Without.Rate)}");
        }

        if (predicting.Count == 0)
        {
            text.AppendLine("  none with enough contacts to tell");
        }

        var silent = rules.Where(r => r.DoesNotPredict).ToList();
        text.AppendLine(Inv, $"Rules that do not predict (the interval includes ×1 for MQL→SQL and →customer){(silent.Count == 0 ? ": none" : "")}");
        foreach (var rule in silent)
        {
            var step = Step(rule, FunnelStep.MqlToSql);
            text.AppendLine(Inv, $"  {rule.Name,-28} {(step?.Lift is { } lift ? LiftText(lift) : "no lift"),-22} ({rule.With:N0} contacts with it)");
        }
    }

    private static void AppendGroups(StringBuilder text, string title, IReadOnlyList<SignalLift> groups)
    {
        if (groups.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine(Inv, $"{title} (lead→MQL, MQL→SQL, →customer; MQL→SQL lift against the others)");
        foreach (var group in groups.OrderByDescending(g => g.With).Take(TopRules))
        {
            var mql = Step(group, FunnelStep.LeadToMql);
            var sql = Step(group, FunnelStep.MqlToSql);
            var customer = Step(group, FunnelStep.QualifiedToCustomer);
            text.AppendLine(Inv, $"  {group.Name,-24} {group.With,7:N0}  {Percent(mql?.With.Rate),7} {Percent(sql?.With.Rate),7} {Percent(customer?.With.Rate),7}  {(sql?.Lift is { } lift ? LiftText(lift) : "")}");
        }
    }

    private static void AppendCalibration(StringBuilder text, Calibration calibration)
    {
        text.AppendLine();
        text.AppendLine(Inv, $"Calibration (→SQL by fit × engagement band of {calibration.BandWidth}; today's MQL test: fit ≥ {calibration.MqlFitThreshold}, engagement ≥ {calibration.MqlEngagementThreshold})");
        var above = calibration.Cells.Where(c => IsAbove(c, calibration)).ToList();
        var below = calibration.Cells.Where(c => !IsAbove(c, calibration)).ToList();
        text.AppendLine(Inv, $"  bands at or past today's thresholds: {above.Sum(c => c.Contacts):N0} contacts, {Percent(Rate(above.Sum(c => c.ToSql), above.Sum(c => c.Contacts)))} → SQL, {Percent(Rate(above.Sum(c => c.ToCustomer), above.Sum(c => c.Contacts)))} → customer");
        text.AppendLine(Inv, $"  bands below:                         {below.Sum(c => c.Contacts):N0} contacts, {Percent(Rate(below.Sum(c => c.ToSql), below.Sum(c => c.Contacts)))} → SQL, {Percent(Rate(below.Sum(c => c.ToCustomer), below.Sum(c => c.Contacts)))} → customer");
        foreach (var cell in calibration.Cells.Where(c => c.Contacts >= 10).OrderByDescending(c => (double)c.ToSql / c.Contacts).Take(3))
        {
            text.AppendLine(Inv, $"  e.g. fit {cell.FitLow}–{cell.FitLow + calibration.BandWidth - 1} × engagement {cell.EngagementLow}–{cell.EngagementLow + calibration.BandWidth - 1}: {cell.Contacts:N0} contacts, {Percent(Rate(cell.ToSql, cell.Contacts))} → SQL");
        }
    }

    private static void AppendOutcome(StringBuilder text, string label, PolicyOutcome outcome) =>
        text.AppendLine(Inv, $"  {label,-22} {outcome.Mqls,8:N0} {Percent(Rate(outcome.BecameSql, outcome.Mqls)),8} {Percent(Rate(outcome.BecameCustomer, outcome.Mqls)),11} {outcome.MissedSqls,12:N0}");

    /// <summary>Whether a calibration cell lies wholly at or past the MQL thresholds (its lowest scores pass them).</summary>
    internal static bool IsAbove(CalibrationCell cell, Calibration calibration) =>
        cell.FitLow >= calibration.MqlFitThreshold && cell.EngagementLow >= calibration.MqlEngagementThreshold;

    internal static StepComparison? Step(SignalLift signal, FunnelStep step) => signal.Steps.FirstOrDefault(s => s.Step == step);

    internal static string LiftText(Lift lift) => string.Create(Inv, $"×{lift.Ratio:F2} [{lift.Low:F2}–{lift.High:F2}]");

    internal static string Percent(double? rate) => rate is { } r ? string.Create(Inv, $"{r * 100:F1} %") : "–";

    internal static double? Rate(int converted, int eligible) => eligible == 0 ? null : (double)converted / eligible;

    internal static string StepLabel(FunnelStep step) => step switch
    {
        FunnelStep.LeadToMql => "lead→MQL",
        FunnelStep.MqlToSql => "MQL→SQL",
        FunnelStep.SqlToOpportunity => "SQL→opportunity",
        FunnelStep.QualifiedToCustomer => "qualified→customer",
        _ => step.ToString(),
    };

    private static string GoalLabel(string goal) => goal switch
    {
        "mql_to_sql_rate" => "target MQL→SQL rate",
        "mql_volume" => "target MQL volume",
        _ => goal,
    };

    private static string Short(string version) => version.Length > 8 ? version[..8] : version;
}
