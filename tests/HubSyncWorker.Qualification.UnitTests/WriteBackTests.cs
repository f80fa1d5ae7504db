namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The diff against HubSpot's values.</summary>
public sealed class WriteBackTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;

    [Fact]
    public void ComputeChanges_FirstEvaluation_WritesScoresStatusReasonDatesAndStage()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var decision = Policy.Evaluate(contact, Now);

        var plan = Policy.ComputeChanges(contact, decision);

        Assert.Equal("100", plan.Changes["hubsync_fit_score"]);
        Assert.Equal(decision.EngagementScore.ToString(System.Globalization.CultureInfo.InvariantCulture), plan.Changes["hubsync_engagement_score"]);
        Assert.Equal("mql", plan.Changes["hubsync_status"]);
        Assert.Equal("2026-03-01", plan.Changes["hubsync_mql_date"]);
        Assert.Equal(Policy.Version, plan.Changes["hubsync_policy_version"]);
        Assert.Equal("marketingqualifiedlead", plan.Changes["lifecyclestage"]);
        Assert.Equal("OPEN", plan.Changes["hs_lead_status"]);
        Assert.False(plan.Changes.ContainsKey("hubsync_below_threshold_since"));
        Assert.False(plan.ClearLifecycleStageFirst);
    }

    [Fact]
    public void ComputeChanges_SecondEvaluationAfterWriteBack_NoChanges()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var first = Policy.Evaluate(contact, Now);
        var written = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, first));

        var second = Policy.Evaluate(written, Now.AddMinutes(5));

        Assert.Empty(Policy.ComputeChanges(written, second).Changes);
    }

    [Fact]
    public void ComputeChanges_HubSpotReturnsNumbersAndDatesInOtherForms_NoRewrite()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var decision = Policy.Evaluate(contact, Now);
        var written = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, decision));
        var properties = new Dictionary<string, string?>(written.Properties, StringComparer.Ordinal)
        {
            ["hubsync_fit_score"] = "100.0",
            ["hubsync_mql_date"] = "1772323200000", // 2026-03-01 midnight UTC, epoch ms
        };

        var plan = Policy.ComputeChanges(written with { Properties = properties }, decision);

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void ComputeChanges_ExistingMqlDate_NeverRewritten()
    {
        var contact = ContactBuilder.IcpMql().With("hubsync_mql_date", "2025-06-30").Build();
        var decision = Policy.Evaluate(contact, Now) with { MqlDate = new DateOnly(2026, 3, 1) };

        var plan = Policy.ComputeChanges(contact, decision);

        Assert.False(plan.Changes.ContainsKey("hubsync_mql_date"));
    }

    [Fact]
    public void ComputeChanges_Regression_ClearFirstFlagged()
    {
        var options = Policy.LoadDefaultForTest();
        options.Lifecycle.AllowRegression = true;
        var policy = QualificationPolicy.Compile(options);
        var contact = ContactBuilder.IcpMql().Stage("opportunity").Build();

        var plan = policy.ComputeChanges(contact, policy.Evaluate(contact, Now));

        Assert.True(plan.ClearLifecycleStageFirst);
        Assert.Equal("marketingqualifiedlead", plan.Changes["lifecyclestage"]);
    }

    [Fact]
    public void ComputeChanges_LifecycleAlreadyAtTarget_NotWritten()
    {
        var contact = ContactBuilder.IcpMql().Stage("marketingqualifiedlead").LeadStatus("OPEN").Build();

        var plan = Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now));

        Assert.False(plan.Changes.ContainsKey("lifecyclestage"));
        Assert.False(plan.Changes.ContainsKey("hs_lead_status"));
    }

    [Fact]
    public void ComputeChanges_DecayOverAFewHours_NoRewrite()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var written = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now)));

        var later = Policy.Evaluate(written, Now.AddHours(2));

        Assert.False(Policy.ComputeChanges(written, later).HasChanges);
    }
}

internal static class PolicyTestExtensions
{
    public static HubSyncWorker.Qualification.Policy.QualificationPolicyOptions LoadDefaultForTest(this QualificationPolicy policy) =>
        HubSyncWorker.Qualification.Policy.PolicyLoader.FromJson(HubSyncWorker.Qualification.Policy.PolicyLoader.ToJson(policy.Options));
}

public sealed class PropertyGatheringTests
{
    [Fact]
    public void Evaluate_ContactWithManyUnrelatedProperties_SameDecisionAsWithout()
    {
        var lean = ContactBuilder.IcpMql().Stage("lead").Build();
        var wide = new Dictionary<string, string?>(lean.Properties, StringComparer.Ordinal);
        for (var i = 0; i < 300; i++)
        {
            wide["custom_property_" + i] = "value " + i;
        }

        var a = ContactBuilder.DefaultPolicy.Evaluate(lean, ContactBuilder.Now);
        var b = ContactBuilder.DefaultPolicy.Evaluate(lean with { Properties = wide }, ContactBuilder.Now);
        var c = ContactBuilder.DefaultPolicy.Evaluate(lean with { Properties = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string?>(wide) }, ContactBuilder.Now);

        Assert.Equal(a with { FiredRules = [] }, b with { FiredRules = [] });
        Assert.Equal(a with { FiredRules = [] }, c with { FiredRules = [] });
        Assert.Equal(a.FiredRules, b.FiredRules);
        Assert.Equal(QualificationStatus.Mql, b.Status);
    }
}
