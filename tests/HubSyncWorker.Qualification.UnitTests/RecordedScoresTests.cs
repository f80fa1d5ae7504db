using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>What the worker records when it qualifies a contact, and when it does not (it never records a moment it did not see).</summary>
public sealed class RecordedScoresTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;

    [Fact]
    public void ComputeChanges_LeadBecomesMql_RecordsScoresAndRulesAtMqlOnly()
    {
        var contact = ContactBuilder.IcpMql().Stage("lead").Build();
        var decision = Policy.Evaluate(contact, Now);

        var plan = Policy.ComputeChanges(contact, decision);

        var recorded = RecordedScores.Parse(plan.Changes["hubsync_scores_at_mql"]);
        Assert.NotNull(recorded);
        Assert.Equal(decision.FitScore, recorded.Fit);
        Assert.Equal(decision.EngagementScore, recorded.Engagement);
        Assert.Equal(decision.FiredRules.Select(r => r.RuleId), recorded.Rules);
        Assert.NotEmpty(recorded.Rules);
        Assert.Equal(Policy.Version, recorded.PolicyVersion);
        Assert.False(plan.Changes.ContainsKey("hubsync_scores_at_sql"));
    }

    [Fact]
    public void ComputeChanges_HandRaiserStraightToSql_RecordsBothMoments()
    {
        var contact = ContactBuilder.IcpMql().Converted("Request a demo").Stage("lead").Build();
        var decision = Policy.Evaluate(contact, Now);
        Assert.Equal(QualificationStatus.Sql, decision.Status);

        var plan = Policy.ComputeChanges(contact, decision);

        Assert.Equal(plan.Changes["hubsync_scores_at_mql"], plan.Changes["hubsync_scores_at_sql"]);
        Assert.Contains("hand-raiser", plan.Changes["hubsync_reason"], StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeChanges_MqlThatSalesConnects_RecordsAtSqlAndKeepsTheMqlRecord()
    {
        var atMql = new RecordedScores(70, 45, ["senior_title"], "older").Format();
        var contact = ContactBuilder.IcpMql().Stage("marketingqualifiedlead").LeadStatus("CONNECTED")
            .With("hubsync_mql_date", "2026-01-10").With("hubsync_scores_at_mql", atMql).Build();
        var decision = Policy.Evaluate(contact, Now);
        Assert.Equal(QualificationStatus.Sql, decision.Status);

        var plan = Policy.ComputeChanges(contact, decision);

        Assert.False(plan.Changes.ContainsKey("hubsync_scores_at_mql"));
        Assert.Equal(decision.FitScore, RecordedScores.Parse(plan.Changes["hubsync_scores_at_sql"])!.Fit);
    }

    [Theory]
    [InlineData("marketingqualifiedlead")] // marketing made it an MQL before the worker saw it: when, and with what, is unknown
    [InlineData("salesqualifiedlead")]
    [InlineData("opportunity")]
    public void ComputeChanges_StageHubSpotAlreadyShows_RecordsNothingForIt(string stage)
    {
        var contact = ContactBuilder.IcpMql().Converted("Request a demo").Deals(1).Stage(stage).Build();

        var plan = Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now));

        Assert.False(plan.Changes.ContainsKey("hubsync_scores_at_mql"));
        Assert.Equal(stage == "marketingqualifiedlead", plan.Changes.ContainsKey("hubsync_scores_at_sql"));
    }

    [Fact]
    public void ComputeChanges_QualifiedAgainAfterRecycling_KeepsTheFirstRecord()
    {
        var first = new RecordedScores(60, 40, ["newsletter"], Policy.Version).Format();
        var contact = ContactBuilder.IcpMql().Stage("lead").With("hubsync_mql_date", "2025-06-30").With("hubsync_scores_at_mql", first).Build();

        var plan = Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now));

        Assert.Equal("marketingqualifiedlead", plan.Changes["lifecyclestage"]);
        Assert.False(plan.Changes.ContainsKey("hubsync_scores_at_mql"));
    }

    [Fact]
    public void ComputeChanges_AfterTheRecordIsWritten_NothingMoreToWrite()
    {
        var contact = ContactBuilder.IcpMql().Converted("Request a demo").Stage("lead").Build();
        var written = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now)));

        Assert.Empty(Policy.ComputeChanges(written, Policy.Evaluate(written, Now.AddMinutes(5))).Changes);
    }

    [Fact]
    public void ComputeChanges_LeadThatStaysALead_RecordsNothing()
    {
        var contact = ContactBuilder.IcpProfile().Converted("Newsletter subscription").Build();

        var plan = Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now));

        Assert.Equal("lead", plan.Changes["lifecyclestage"]);
        Assert.DoesNotContain(plan.Changes.Keys, k => k.StartsWith("hubsync_scores_at_", StringComparison.Ordinal));
    }

    [Fact]
    public void FormatThenParse_RoundTrips()
    {
        var scores = new RecordedScores(85, 52, ["senior_title", "target_industry", "demo_video"], "a1b2c3");

        Assert.Equal(scores, RecordedScores.Parse(scores.Format()));
        Assert.Equal("""{"fit":85,"engagement":52,"rules":["senior_title","target_industry","demo_video"],"policy":"a1b2c3"}""", scores.Format());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("edited by hand")]
    [InlineData("""{"fit":"high","engagement":1,"rules":[],"policy":"v"}""")]
    [InlineData("""{"fit":1,"engagement":1,"rules":[3],"policy":"v"}""")]
    [InlineData("""{"fit":1,"engagement":1,"policy":"v"}""")]
    [InlineData("[1,2]")]
    public void Parse_NotTheRecordedFormat_Null(string? value) => Assert.Null(RecordedScores.Parse(value));
}
