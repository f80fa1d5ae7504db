using System.Text.RegularExpressions;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>The suggested policy file: it loads, validates, compiles, and carries the suggestions, labelled as such.</summary>
public sealed class PolicySuggestionTests
{
    private static readonly Lazy<InsightsReport> Report = new(() => InsightsAnalyzer.Analyze(
        PlantedPortal.Generate(4000), PlantedPortal.Policy, new InsightsRequest(0.15, 800), PlantedPortal.AnalysedAt));

    [Fact]
    public void Write_PlantedReport_SuggestedPolicyValidatesCompilesAndCarriesTheSuggestions()
    {
        var json = PolicySuggestion.Write(PolicyLoader.DefaultPolicyJson, Report.Value);

        var options = PolicyLoader.FromJson(json);
        Assert.Empty(PolicyValidator.Validate(options));
        var suggested = QualificationPolicy.Compile(options);
        Assert.NotEqual(PlantedPortal.Policy.Version, suggested.Version);

        var thresholds = Assert.Single(Report.Value.Thresholds, t => t.Goal == ThresholdSuggestion.MqlToSqlRateGoal);
        Assert.Equal((thresholds.FitThreshold, thresholds.EngagementThreshold), (options.Mql.MinFit, options.Mql.MinEngagement));
        var rules = options.Fit.Rules.Concat(options.Engagement.Rules).ToDictionary(r => r.Id!);
        Assert.NotEmpty(Report.Value.Points);
        Assert.All(Report.Value.Points, p => Assert.Equal(p.SuggestedPoints, rules[p.RuleId].Points));

        // Everything else is as it was.
        var current = PolicyLoader.LoadDefault();
        Assert.Equal(current.Sql.MinFit, options.Sql.MinFit);
        Assert.Equal(current.Disqualifiers.Select(d => d.Id), options.Disqualifiers.Select(d => d.Id));
        var untouched = current.Fit.Rules.Concat(current.Engagement.Rules).Where(r => Report.Value.Points.All(p => p.RuleId != r.Id)).ToList();
        Assert.NotEmpty(untouched);
        Assert.All(untouched, r => Assert.Equal(r.Points, rules[r.Id!].Points));
    }

    [Fact]
    public void Write_PlantedReport_LabelledAsSuggestionWithEachChangeExplained()
    {
        var json = PolicySuggestion.Write(PolicyLoader.DefaultPolicyJson, Report.Value);
        var version = QualificationPolicy.Compile(PolicyLoader.FromJson(json)).Version;

        Assert.StartsWith($"// SUGGESTED POLICY (version {version}), not in use", json, StringComparison.Ordinal);
        Assert.Contains("policy check", json, StringComparison.Ordinal);
        var video = Assert.Single(Report.Value.Points, p => p.RuleId == "demo-video");
        Assert.Matches($@"\n *// suggested \(was {video.CurrentPoints}\): {Regex.Escape(video.Why)}\n *""Points"": {video.SuggestedPoints},?\n", json);
        Assert.Contains("suggested (was 40) for an MQL→SQL rate of 15", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_VolumeGoal_AppliesTheVolumeThresholds()
    {
        var json = PolicySuggestion.Write(PolicyLoader.DefaultPolicyJson, Report.Value, ThresholdSuggestion.MqlVolumeGoal);

        var options = PolicyLoader.FromJson(json);
        var volume = Assert.Single(Report.Value.Thresholds, t => t.Goal == ThresholdSuggestion.MqlVolumeGoal);
        Assert.Equal((volume.FitThreshold, volume.EngagementThreshold), (options.Mql.MinFit, options.Mql.MinEngagement));
    }

    [Fact]
    public void Write_SettingsFile_WritesThePolicySectionOnly()
    {
        var settings = $$"""
            {
              // a settings file: its other sections may hold secrets
              "HubSpot": { "AccessToken": "pat-secret-value" },
              "qualification": {{PolicyLoader.DefaultPolicyJson}}
            }
            """;

        var json = PolicySuggestion.Write(settings, Report.Value);

        Assert.DoesNotContain("pat-secret-value", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"HubSpot\"", json, StringComparison.Ordinal);
        Assert.Empty(PolicyValidator.Validate(PolicyLoader.FromJson(json)));
    }

    [Fact]
    public void Write_PolicyWithoutMqlSection_AddsTheThresholds()
    {
        var options = PolicyLoader.LoadDefault();
        var node = System.Text.Json.Nodes.JsonNode.Parse(PolicyLoader.ToJson(options))!.AsObject();
        node.Remove("Mql");
        var withoutMql = node.ToJsonString();
        var report = Report.Value;

        var json = PolicySuggestion.Write(withoutMql, report);

        var thresholds = report.Thresholds[0];
        var suggested = PolicyLoader.FromJson(json);
        Assert.Equal((thresholds.FitThreshold, thresholds.EngagementThreshold), (suggested.Mql.MinFit, suggested.Mql.MinEngagement));
    }

    [Fact]
    public void Write_ReportOfAnotherPolicy_Throws()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinFit = 60;

        var error = Assert.Throws<ArgumentException>(() => PolicySuggestion.Write(PolicyLoader.ToJson(options), Report.Value));

        Assert.Contains(Report.Value.PolicyVersion, error.Message, StringComparison.Ordinal);
    }
}
