using HubSyncWorker.Diagnostics;
using HubSyncWorker.Insights;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>An insights outcome built by hand, as the renderers' tests and the screenshot test use it.</summary>
internal static class SampleInsights
{
    public static InsightsOutcome Outcome() => new(Report(), new InsightsCollection(
        2000, 2000, 310, 402, 0, 0,
        new InsightsEstimate(2000, 2000, 2, 20, 402, new HubSpotBudget(100, 5)),
        new HubSpotCallReport(20, 2, 0, 9, 0, 0, 0, 0, 0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12))));

    public static InsightsReport Report() => new(
        new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero),
        "3f2a9c81d0e4",
        2000,
        new Dictionary<FunnelStep, StepRate>
        {
            [FunnelStep.LeadToMql] = new(1600, 700),
            [FunnelStep.MqlToSql] = new(700, 210),
            [FunnelStep.SqlToOpportunity] = new(210, 90),
            [FunnelStep.QualifiedToCustomer] = new(760, 60),
        },
        [
            Signal(SignalKind.Rule, "demo_video", 300, 0.55, 0.18, new Lift(3.05, 2.5, 3.7), doesNotPredict: false),
            Signal(SignalKind.Rule, "newsletter", 800, 0.30, 0.29, new Lift(1.03, 0.86, 1.24), doesNotPredict: true),
            Signal(SignalKind.Rule, "student", 120, 0.0, 0.31, new Lift(0.02, 0.001, 0.3), doesNotPredict: false),
        ],
        [Signal(SignalKind.Source, "ORGANIC_SEARCH", 900, 0.35, 0.25, new Lift(1.4, 1.1, 1.8), false), Signal(SignalKind.Source, "PAID_SOCIAL", 500, 0.2, 0.33, new Lift(0.6, 0.45, 0.8), false)],
        [Signal(SignalKind.Offer, "Request a demo", 200, 0.6, 0.25, new Lift(2.4, 2.0, 2.9), false)],
        new Calibration(10, 50, 40,
        [
            new CalibrationCell(50, 40, 120, 40, 12), new CalibrationCell(70, 60, 80, 45, 20), new CalibrationCell(20, 10, 400, 4, 0),
            new CalibrationCell(60, 20, 150, 12, 3), new CalibrationCell(90, 90, 20, 15, 8),
        ]),
        [new ThresholdSuggestion("mql_to_sql_rate", 60, 45, 412, new StepRate(412, 130))],
        [new PointsSuggestion("demo_video", 10, 25, "MQL→SQL ×3.05 [2.50–3.70]"), new PointsSuggestion("newsletter", 10, 0, "MQL→SQL ×1.03 [0.86–1.24]: no evidence")],
        new PolicyComparison(new PolicyOutcome("3f2a9c81d0e4", 700, 210, 60, 40), new PolicyOutcome("77aa01bc", 520, 190, 55, 61)));

    private static SignalLift Signal(SignalKind kind, string name, int with, double withRate, double withoutRate, Lift lift, bool doesNotPredict)
    {
        var withSql = new StepRate(with, (int)(with * withRate));
        var withoutSql = new StepRate(2000 - with, (int)((2000 - with) * withoutRate));
        return new SignalLift(kind, name, with,
        [
            new StepComparison(FunnelStep.LeadToMql, new StepRate(with, with / 2), new StepRate(2000 - with, (2000 - with) / 3), new Lift(1.5, 1.2, 1.8)),
            new StepComparison(FunnelStep.MqlToSql, withSql, withoutSql, lift),
            new StepComparison(FunnelStep.QualifiedToCustomer, new StepRate(with, with / 10), new StepRate(2000 - with, (2000 - with) / 20), null),
        ], doesNotPredict);
    }
}
