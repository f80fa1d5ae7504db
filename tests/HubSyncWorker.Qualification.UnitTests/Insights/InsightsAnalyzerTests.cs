using System.Text.Json;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Qualification.Policy;
using static HubSyncWorker.Qualification.UnitTests.Insights.InsightContacts;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>The analysis on a portal with planted effects (<see cref="PlantedPortal"/>) and on hand-built contacts.</summary>
public sealed class InsightsAnalyzerTests
{
    private const double RateTarget = 0.16;
    private const int VolumeTarget = 2000;

    private static readonly Lazy<IReadOnlyList<InsightContact>> PlantedContacts = new(() => PlantedPortal.Generate());

    private static readonly Lazy<InsightsReport> Planted = new(() => InsightsAnalyzer.Analyze(
        PlantedContacts.Value, PlantedPortal.Policy, new InsightsRequest(RateTarget, VolumeTarget), PlantedPortal.AnalysedAt));

    private static QualificationPolicy Policy => ContactBuilder.DefaultPolicy;

    [Fact]
    public void Analyze_DemoVideoTriplesSql_PlantedLiftInsideIntervalThatExcludesOne()
    {
        var video = Rule(Planted.Value, "demo-video");
        var lift = video.Step(FunnelStep.MqlToSql).Lift!;

        Assert.InRange(PlantedPortal.VideoLift, lift.Low, lift.High);
        Assert.True(lift.Low > 1, $"interval {lift.Low}–{lift.High}");
        Assert.False(video.DoesNotPredict);

        // Customers follow SQLs at the same rate, so the lift carries through to customers.
        var customers = video.Step(FunnelStep.QualifiedToCustomer).Lift!;
        Assert.InRange(PlantedPortal.VideoLift, customers.Low, customers.High);
    }

    [Fact]
    public void Analyze_NewsletterMakesNoDifference_FlaggedDoesNotPredict()
    {
        var newsletter = Rule(Planted.Value, "newsletter");

        Assert.InRange(1.0, newsletter.Step(FunnelStep.MqlToSql).Lift!.Low, newsletter.Step(FunnelStep.MqlToSql).Lift!.High);
        Assert.True(newsletter.EnoughData);
        Assert.True(newsletter.DoesNotPredict);
        Assert.False(Rule(Planted.Value, "student-title").DoesNotPredict);
    }

    [Fact]
    public void Analyze_StudentsNeverBecomeSql_RateZeroAndIntervalBelowOne()
    {
        var students = Rule(Planted.Value, "student-title");
        var step = students.Step(FunnelStep.MqlToSql);

        Assert.True(step.With.Eligible > 100);
        Assert.Equal(0, step.With.Rate);
        Assert.True(step.Lift!.Corrected);
        Assert.True(step.Lift.High < 1, $"interval {step.Lift.Low}–{step.Lift.High}");
        Assert.InRange(step.Lift.Ratio, step.Lift.Low, step.Lift.High);
    }

    [Fact]
    public void Analyze_RuleFiredForEveryone_NotEnoughDataRatherThanDoesNotPredict()
    {
        // Every planted contact has a complete profile: there is no one to compare with.
        var complete = Rule(Planted.Value, "complete-profile");

        Assert.Equal(Planted.Value.Contacts, complete.With);
        Assert.False(complete.EnoughData);
        Assert.False(complete.DoesNotPredict);
        Assert.Null(complete.Step(FunnelStep.MqlToSql).Lift);
        Assert.DoesNotContain(Planted.Value.Points, p => p.RuleId == "complete-profile");
    }

    [Fact]
    public void Analyze_FewContactsWithRule_NotEnoughDataRatherThanDoesNotPredict()
    {
        // 20 video viewers against 60 others, the same rates everywhere: no effect, but too few viewers to say so.
        var contacts = Enumerable.Range(0, 80).Select(i =>
        {
            var builder = i < 20 ? ContactBuilder.IcpMql().Converted("Product video tour") : ContactBuilder.IcpMql();
            var entered = (i % 10) switch
            {
                0 => MqlThenSql(Cutoff) with { Customer = Cutoff.AddDays(30) },
                < 5 => MqlThenSql(Cutoff),
                _ => Mql(Cutoff),
            };
            return Of(builder, entered, id: $"{i}");
        }).ToList();

        var video = Rule(InsightsAnalyzer.Analyze(contacts, Policy, new InsightsRequest(), Cutoff), "demo-video");

        Assert.Equal(20, video.With);
        Assert.All(video.Steps.Where(s => s.Step is FunnelStep.MqlToSql or FunnelStep.QualifiedToCustomer), s => Assert.True(s.Lift!.IncludesNoEffect));
        Assert.False(video.EnoughData);
        Assert.False(video.DoesNotPredict);
    }

    [Fact]
    public void Analyze_RateTarget_SuggestedThresholdsCloserToTargetThanToday()
    {
        var report = Planted.Value;
        var suggestion = Assert.Single(report.Thresholds, t => t.Goal == ThresholdSuggestion.MqlToSqlRateGoal);
        var today = report.Calibration.CurrentMqlToSql.Rate!.Value;

        Assert.True(suggestion.TargetReached);
        Assert.True(suggestion.MqlToSql.Rate >= RateTarget);
        Assert.True(Math.Abs(suggestion.MqlToSql.Rate!.Value - RateTarget) < Math.Abs(today - RateTarget), $"suggested {suggestion.MqlToSql.Rate}, today {today}");
        Assert.Equal(suggestion.Mqls, suggestion.MqlToSql.Eligible);
        Assert.Equal(0, suggestion.FitThreshold % report.Calibration.BandWidth);
        Assert.Equal(0, suggestion.EngagementThreshold % report.Calibration.BandWidth);

        // No pair on the grid reaches the target with more MQLs.
        foreach (var (fit, engagement) in GridPairs(report.Calibration.BandWidth))
        {
            var (mqls, sqls) = WouldBeMqls(fit, engagement);
            Assert.False(mqls >= InsightsAnalyzer.MinimumEligible && (double)sqls / mqls >= RateTarget && mqls > suggestion.Mqls, $"({fit}, {engagement}) gives {mqls} MQLs");
        }
    }

    [Fact]
    public void Analyze_RateTargetOutOfReach_ReportsBestRateAndNotReached()
    {
        var report = InsightsAnalyzer.Analyze(PlantedContacts.Value, PlantedPortal.Policy, new InsightsRequest(0.9), PlantedPortal.AnalysedAt);
        var suggestion = Assert.Single(report.Thresholds);

        Assert.False(suggestion.TargetReached);
        Assert.True(suggestion.Mqls >= InsightsAnalyzer.MinimumEligible);
        foreach (var (fit, engagement) in GridPairs(report.Calibration.BandWidth))
        {
            var (mqls, sqls) = WouldBeMqls(fit, engagement);
            Assert.False(mqls >= InsightsAnalyzer.MinimumEligible && (double)sqls / mqls > suggestion.MqlToSql.Rate, $"({fit}, {engagement}) has a better rate");
        }
    }

    [Fact]
    public void Analyze_VolumeTarget_PairWithClosestMqlCount()
    {
        var suggestion = Assert.Single(Planted.Value.Thresholds, t => t.Goal == ThresholdSuggestion.MqlVolumeGoal);
        var (mqls, sqls) = WouldBeMqls(suggestion.FitThreshold, suggestion.EngagementThreshold);

        Assert.Equal(mqls, suggestion.Mqls);
        Assert.Equal(sqls, suggestion.MqlToSql.Converted);
        Assert.Equal(VolumeTarget, suggestion.Target);
        var closest = GridPairs(Planted.Value.Calibration.BandWidth).Min(p => Math.Abs(WouldBeMqls(p.Fit, p.Engagement).Mqls - VolumeTarget));
        Assert.Equal(closest, Math.Abs(suggestion.Mqls - VolumeTarget));
    }

    [Fact]
    public void Analyze_Calibration_CountsEveryContactOnceWithTodaysThresholds()
    {
        var calibration = Planted.Value.Calibration;

        Assert.Equal(50, calibration.MqlFitThreshold);
        Assert.Equal(40, calibration.MqlEngagementThreshold);
        Assert.Equal(Planted.Value.Contacts, calibration.Cells.Sum(c => c.Contacts));
        Assert.Equal(Planted.Value.Funnel[FunnelStep.MqlToSql].Converted, calibration.Cells.Sum(c => c.ToSql));
        Assert.Equal(Planted.Value.Funnel[FunnelStep.QualifiedToCustomer].Converted, calibration.Cells.Sum(c => c.ToCustomer));
        Assert.All(calibration.Cells, c => Assert.True(c.Contacts > 0 && c.ToSql <= c.Contacts && c.ToCustomer <= c.ToSql));
        var (mqls, sqls) = WouldBeMqls(50, 40);
        Assert.Equal(new StepRate(mqls, sqls), calibration.CurrentMqlToSql);
    }

    [Fact]
    public void Analyze_PlantedLifts_SuggestMorePointsForVideoFewerForNewsletterAndMoreNegativeForStudents()
    {
        var points = Planted.Value.Points.ToDictionary(p => p.RuleId);

        Assert.True(points["demo-video"].SuggestedPoints > points["demo-video"].CurrentPoints);
        Assert.InRange(points["newsletter"].SuggestedPoints, 1, points["newsletter"].CurrentPoints - 1);
        Assert.True(points["student-title"].SuggestedPoints < points["student-title"].CurrentPoints);
        Assert.All(points.Values, p => Assert.False(string.IsNullOrWhiteSpace(p.Why)));
        Assert.All(points.Values, p => Assert.InRange(Math.Abs(p.SuggestedPoints), 1, 2 * Math.Abs(p.CurrentPoints)));
        Assert.DoesNotContain("competitor", points.Keys);
    }

    [Fact]
    public void Analyze_RulesSourcesAndOffers_InPolicyOrderAndByCount()
    {
        var report = Planted.Value;
        var options = PlantedPortal.Policy.Options;
        var policyOrder = options.Fit.Rules.Concat(options.Engagement.Rules).Concat(options.Disqualifiers).Select(r => r.Id!).ToList();

        Assert.Equal(report.Rules.Select(r => r.Name).OrderBy(policyOrder.IndexOf), report.Rules.Select(r => r.Name));
        Assert.All(report.Rules, r => Assert.True(r.With > 0));
        foreach (var groups in new[] { report.Sources, report.Offers })
        {
            var named = groups.Where(g => g.Name != InsightsAnalyzer.OtherGroup).ToList();
            Assert.Equal(named.OrderByDescending(g => g.With).ThenBy(g => g.Name, StringComparer.Ordinal).Select(g => g.Name), named.Select(g => g.Name));
            Assert.All(named, g => Assert.True(g.With >= InsightsAnalyzer.MinimumGroupContacts));
            Assert.Equal(report.Contacts, groups.Sum(g => g.With));
        }

        Assert.Contains(report.Sources, s => s.Name == InsightsAnalyzer.NoValue);
    }

    [Fact]
    public void Analyze_RareSources_GroupedAsOtherLast()
    {
        var contacts = Enumerable.Range(0, 40).Select(i => Of(ContactBuilder.IcpMql(), Mql(Cutoff), source: "ORGANIC_SEARCH", id: $"a{i}"))
            .Concat(Enumerable.Range(0, 5).Select(i => Of(ContactBuilder.IcpMql(), Mql(Cutoff), source: "OFFLINE", id: $"b{i}")))
            .Concat(Enumerable.Range(0, 3).Select(i => Of(ContactBuilder.IcpMql(), Mql(Cutoff), source: "REFERRALS", id: $"c{i}")))
            .ToList();

        var report = InsightsAnalyzer.Analyze(contacts, Policy, new InsightsRequest(), Cutoff);

        Assert.Equal(["ORGANIC_SEARCH", InsightsAnalyzer.OtherGroup], report.Sources.Select(s => s.Name));
        Assert.Equal(8, report.Sources[1].With);
        Assert.Equal([InsightsAnalyzer.NoValue], report.Offers.Select(s => s.Name));
    }

    [Fact]
    public void Analyze_LaterStageWithoutEarlierDates_CountsAsPassingEveryEarlierStep()
    {
        // An opportunity without an SQL date still passed MQL→SQL; a customer with no qualification date is no qualified contact.
        var opportunity = Of(ContactBuilder.IcpMql(), StageEntryDates.None with { Mql = Cutoff, Opportunity = Cutoff.AddDays(3) }, id: "1");
        var customerOnly = Of(ContactBuilder.IcpMql(), StageEntryDates.None with { Customer = Cutoff }, id: "2");
        var lead = Of(ContactBuilder.IcpMql(), StageEntryDates.None with { Lead = Cutoff }, id: "3");

        var funnel = InsightsAnalyzer.Analyze([opportunity, customerOnly, lead], Policy, new InsightsRequest(), Cutoff).Funnel;

        Assert.Equal(new StepRate(3, 2), funnel[FunnelStep.LeadToMql]);
        Assert.Equal(new StepRate(2, 2), funnel[FunnelStep.MqlToSql]);
        Assert.Equal(new StepRate(2, 2), funnel[FunnelStep.SqlToOpportunity]);
        Assert.Equal(new StepRate(1, 0), funnel[FunnelStep.QualifiedToCustomer]);
    }

    [Fact]
    public void Analyze_RecordedScoresOfThisPolicy_UsedInsteadOfEvaluating()
    {
        // Today's inputs (fit 100, no engagement, no video) are not what the worker qualified the contact with.
        var recorded = new RecordedScores(80, 55, ["demo-video"], Policy.Version);
        var contact = Of(ContactBuilder.IcpProfile(), Mql(Cutoff), atMql: recorded);

        var report = InsightsAnalyzer.Analyze([contact], Policy, new InsightsRequest(), Cutoff, candidate: Policy);

        Assert.Equal(["demo-video"], report.Rules.Select(r => r.Name));
        Assert.Equal((80, 50), (Assert.Single(report.Calibration.Cells).FitLow, report.Calibration.Cells[0].EngagementLow));
        Assert.Equal(1, report.Comparison!.Current.Mqls);
        Assert.Equal(0, report.Comparison.Candidate.Mqls);
    }

    [Fact]
    public void Analyze_RecordedScoresOfAnotherPolicy_Evaluated()
    {
        var recorded = new RecordedScores(80, 55, ["demo-video"], "0123456789ab");
        var contact = Of(ContactBuilder.IcpProfile(), Mql(Cutoff), atMql: recorded);

        var report = InsightsAnalyzer.Analyze([contact], Policy, new InsightsRequest(), Cutoff);

        Assert.DoesNotContain(report.Rules, r => r.Name == "demo-video");
        Assert.Contains(report.Rules, r => r.Name == "senior-title");
        Assert.Equal((100, 0), (Assert.Single(report.Calibration.Cells).FitLow, report.Calibration.Cells[0].EngagementLow));
    }

    [Fact]
    public void Analyze_QualifiedStraightToSql_UsesScoresAtSqlButNeverLaterOnes()
    {
        var atSql = new RecordedScores(90, 10, ["demo-video"], Policy.Version);
        var straight = Of(ContactBuilder.IcpProfile(), StageEntryDates.None with { Sql = Cutoff }, atSql: atSql, id: "1");

        // Qualified as an MQL first: the scores at SQL came after the cut-off (hindsight), so the contact is evaluated.
        var viaMql = Of(ContactBuilder.IcpProfile(), MqlThenSql(Cutoff), atSql: atSql, id: "2");

        var report = InsightsAnalyzer.Analyze([straight, viaMql], Policy, new InsightsRequest(), Cutoff);

        Assert.Equal(1, Rule(report, "demo-video").With);
        Assert.Equal(1, Rule(report, "senior-title").With);
    }

    [Fact]
    public void Analyze_ValuesChangedAfterCutoff_CountedWithValuesAtCutoff()
    {
        // The verb hands over each contact as it was at its cut-off: at its MQL date this contact had not watched the video it has
        // watched since, and engagement is decayed as of then, not as of the analysis, 400 days later.
        var cutoff = Cutoff.AddDays(-400);
        var atCutoff = ContactBuilder.IcpMql().LastVisit(cutoff.AddDays(-1));
        var watchedOnlyLater = Of(atCutoff, MqlThenSql(cutoff), cutoff: cutoff, id: "1");
        var watchedBefore = Of(ContactBuilder.IcpMql().LastVisit(cutoff.AddDays(-1)).Converted("Product video tour"), Mql(cutoff), cutoff: cutoff, id: "2");

        var report = InsightsAnalyzer.Analyze([watchedOnlyLater, watchedBefore], Policy, new InsightsRequest(), Cutoff);

        var video = Rule(report, "demo-video");
        Assert.Equal(1, video.With);
        Assert.Equal(new StepRate(1, 0), video.Step(FunnelStep.MqlToSql).With);
        Assert.All(report.Calibration.Cells, c => Assert.True(c.EngagementLow >= 40, $"engagement band {c.EngagementLow}"));
    }

    [Fact]
    public void Analyze_Candidate_CountsMqlsConversionsAndMissedSqlsOfEachPolicy()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinEngagement = 20;
        var candidate = QualificationPolicy.Compile(options);

        // Engagement 41: an MQL for both. Engagement 21: an MQL for the candidate only. A student: an MQL for neither. No engagement:
        // nothing, though sales made it an MQL (it never became SQL, so neither policy missed an SQL there).
        var both = Of(ContactBuilder.IcpMql(), MqlThenSql(Cutoff), id: "1");
        var candidateOnly = Of(
            ContactBuilder.IcpProfile().Converted("Newsletter signup").With("hs_analytics_num_visits", "4").LastVisit(Cutoff.AddDays(-1)),
            MqlThenSql(Cutoff) with { Customer = Cutoff.AddDays(60) }, id: "2");
        var student = Of(ContactBuilder.IcpMql().With("jobtitle", "Student"), StageEntryDates.None with { Sql = Cutoff }, id: "3");
        var cold = Of(ContactBuilder.IcpProfile(), Mql(Cutoff), id: "4");

        var comparison = InsightsAnalyzer.Analyze([both, candidateOnly, student, cold], Policy, new InsightsRequest(), Cutoff, candidate).Comparison!;

        Assert.Equal(new PolicyOutcome(Policy.Version, Mqls: 1, BecameSql: 1, BecameCustomer: 0, MissedSqls: 2), comparison.Current);
        Assert.Equal(new PolicyOutcome(candidate.Version, Mqls: 2, BecameSql: 2, BecameCustomer: 1, MissedSqls: 1), comparison.Candidate);
    }

    [Fact]
    public void Analyze_StageShownAtCutoff_PolicyJudgesFromTheData()
    {
        // Cut off when HubSpot made it an MQL (by hand): its data does not pass the MQL test, so no policy would have made it one.
        var contact = Of(ContactBuilder.IcpProfile().Stage("marketingqualifiedlead").With("hubsync_mql_date", "2026-02-01"), Mql(Cutoff));

        var comparison = InsightsAnalyzer.Analyze([contact], Policy, new InsightsRequest(), Cutoff, Policy).Comparison!;

        Assert.Equal(0, comparison.Current.Mqls);
        Assert.Equal(0, comparison.Candidate.Mqls);
    }

    [Fact]
    public void Analyze_NoCandidate_NoComparison() =>
        Assert.Null(InsightsAnalyzer.Analyze([Of(ContactBuilder.IcpMql(), Mql(Cutoff))], Policy, new InsightsRequest(), Cutoff).Comparison);

    [Fact]
    public void Analyze_NoContacts_EmptyReport()
    {
        var report = InsightsAnalyzer.Analyze([], Policy, new InsightsRequest(TargetMqlVolume: 10), Cutoff);

        Assert.Equal(0, report.Contacts);
        Assert.Empty(report.Rules);
        Assert.Empty(report.Calibration.Cells);
        Assert.All(report.Thresholds, t => Assert.Equal(0, t.Mqls));
        Assert.Null(report.Funnel[FunnelStep.MqlToSql].Rate);
    }

    [Fact]
    public void Analyze_ContactsInAnotherOrder_SameReport()
    {
        var contacts = PlantedContacts.Value.Take(3000).ToList();
        var shuffled = contacts.OrderBy(c => c.AtCutoff.Id.GetHashCode(StringComparison.Ordinal)).ToList();

        var a = InsightsAnalyzer.Analyze(contacts, PlantedPortal.Policy, new InsightsRequest(0.15, 500), PlantedPortal.AnalysedAt);
        var b = InsightsAnalyzer.Analyze(shuffled, PlantedPortal.Policy, new InsightsRequest(0.15, 500), PlantedPortal.AnalysedAt);

        Assert.Equal(JsonSerializer.Serialize(a), JsonSerializer.Serialize(b));
    }

    [Theory]
    [InlineData(0, 0.3, null)]
    [InlineData(10, 1.5, null)]
    [InlineData(10, -0.1, null)]
    [InlineData(10, 0.3, -1)]
    public void Analyze_InvalidRequest_Throws(int bandWidth, double rate, int? volume) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InsightsAnalyzer.Analyze([], Policy, new InsightsRequest(rate, volume, bandWidth), Cutoff));

    private static SignalLift Rule(InsightsReport report, string id) => Assert.Single(report.Rules, r => r.Name == id);

    private static IEnumerable<(int Fit, int Engagement)> GridPairs(int width) =>
        from fit in Enumerable.Range(0, (100 / width) + 1)
        from engagement in Enumerable.Range(0, (100 / width) + 1)
        select (fit * width, engagement * width);

    private static readonly Lazy<(int Fit, int Engagement, bool Sql)[]> PlantedScores = new(() =>
        [.. PlantedContacts.Value.Select(c =>
        {
            var decision = PlantedPortal.Policy.Evaluate(c.AtCutoff, c.Cutoff);
            return (decision.FitScore, decision.EngagementScore, c.Entered.Sql is not null);
        })]);

    /// <summary>Planted contacts with fit and engagement at their cut-off at or above the thresholds (none is disqualified), counted by brute force.</summary>
    private static (int Mqls, int Sqls) WouldBeMqls(int fit, int engagement)
    {
        var above = PlantedScores.Value.Where(s => s.Fit >= fit && s.Engagement >= engagement).ToList();
        return (above.Count, above.Count(s => s.Sql));
    }
}
