using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>
/// A decision builds its reason and fired-rule list when they are first read, and the diff compares the reason without
/// building it: the text must be the same however and whenever it is produced.
/// </summary>
public sealed class DeferredReasonTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;

    [Fact]
    public void ComputeChanges_ReasonNotYetRead_WritesTheReasonTheDecisionShows()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var decision = Policy.Evaluate(contact, Now);

        var plan = Policy.ComputeChanges(contact, decision);

        Assert.Equal(Policy.Evaluate(contact, Now).Reason, plan.Changes["hubsync_reason"]);
        Assert.Same(plan.Changes["hubsync_reason"], decision.Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ComputeChanges_HubSpotHoldsTheReason_NoReasonWrite(bool readFirst)
    {
        var contact = ContactBuilder.IcpMql().Build();
        var reason = Policy.Evaluate(contact, Now).Reason;
        var current = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now)));
        var decision = Policy.Evaluate(current, Now);
        if (readFirst)
        {
            Assert.Equal(reason, decision.Reason);
        }

        Assert.False(Policy.ComputeChanges(current, decision).Changes.ContainsKey("hubsync_reason"));
    }

    [Fact]
    public void ComputeChanges_HubSpotHoldsAnOlderReason_WritesTheNewOne()
    {
        var contact = ContactBuilder.IcpMql().With("hubsync_reason", "MQL (fit and engagement meet the MQL test): fit 100").Build();

        var plan = Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now));

        Assert.StartsWith("MQL (fit and engagement meet the MQL test): fit 100 (", plan.Changes["hubsync_reason"], StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeChanges_ReasonGivenWithWith_ComparesTheGivenText()
    {
        var contact = ContactBuilder.IcpMql().Build();
        var current = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, Policy.Evaluate(contact, Now)));

        var plan = Policy.ComputeChanges(current, Policy.Evaluate(current, Now) with { Reason = "edited" });

        Assert.Equal("edited", plan.Changes["hubsync_reason"]);
    }

    [Fact]
    public void Decision_CopiedWithWith_KeepsReasonAndFiredRules()
    {
        var decision = Policy.Evaluate(ContactBuilder.IcpMql().Build(), Now);
        var expected = Policy.Evaluate(ContactBuilder.IcpMql().Build(), Now);

        var copy = decision with { FitScore = 1 };

        Assert.Equal(expected.Reason, copy.Reason);
        Assert.Equal(expected.FiredRules, copy.FiredRules);
        Assert.Equal(expected, decision);
        Assert.NotEqual(expected, copy);
    }

    [Fact]
    public void Decision_ReadFromManyThreads_SameReason()
    {
        var expected = Policy.Evaluate(ContactBuilder.IcpMql().Build(), Now).Reason;
        var decision = Policy.Evaluate(ContactBuilder.IcpMql().Build(), Now);

        var reasons = new string[8];
        Parallel.For(0, reasons.Length, i => reasons[i] = decision.Reason);

        Assert.All(reasons, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void FiredRules_AnyNumberFired_AllInPolicyOrder(int rules)
    {
        var options = PolicyLoader.LoadDefault();
        options.Fit.Rules = [.. Enumerable.Range(0, rules).Select(i => new RuleOptions
        {
            Id = $"signal-{i}", Label = $"signal {i}", Kind = "HasValue", Properties = ["company"], Points = 1,
        })];
        options.Engagement.Rules = [];
        var policy = QualificationPolicy.Compile(options);

        var decision = policy.Evaluate(new ContactBuilder().With("company", "Acme").Build(), Now);

        Assert.Equal(Enumerable.Range(0, rules).Select(i => new FiredRule($"signal-{i}", 1)), decision.FiredRules);
        Assert.Equal($"Contact: fit {rules} (" + string.Join(", ", Enumerable.Range(0, rules).Select(i => $"signal {i} +1")) + "), engagement 0", decision.Reason);
    }
}
