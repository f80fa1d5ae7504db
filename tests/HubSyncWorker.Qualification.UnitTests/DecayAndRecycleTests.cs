using System.Globalization;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Engagement decay (half-life) and the recycle window.</summary>
public sealed class DecayAndRecycleTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;

    /// <summary>A policy whose engagement is a flat 80 points (Max 100), half-life 30 days.</summary>
    private static QualificationPolicy FlatEighty()
    {
        var options = PolicyLoader.LoadDefault();
        options.Engagement.Rules = [new RuleOptions { Id = "flat", Kind = "HasValue", Properties = ["x"], Points = 80 }];
        return QualificationPolicy.Compile(options);
    }

    [Theory]
    [InlineData(0, 80)]
    [InlineData(30, 40)]
    [InlineData(60, 20)]
    [InlineData(90, 10)]
    [InlineData(15, 57)]
    public void Evaluate_DaysSinceLastEngagement_HalvesEveryThirtyDays(int days, int expected)
    {
        var contact = new ContactBuilder().With("x", "1").LastVisit(Now.AddDays(-days)).Build();

        Assert.Equal(expected, FlatEighty().Evaluate(contact, Now).EngagementScore);
    }

    [Fact]
    public void Evaluate_LaterTheSameUtcDay_GivesTheSameEngagementScore()
    {
        // 15 days and a few hours: decay counts whole days, so the score does not tick down during the day (no rewrites).
        var lastVisit = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var contact = new ContactBuilder().With("x", "1").LastVisit(lastVisit).Build();
        var morning = new DateTimeOffset(2026, 3, 16, 0, 5, 0, TimeSpan.Zero);
        var evening = new DateTimeOffset(2026, 3, 16, 23, 55, 0, TimeSpan.Zero);

        Assert.Equal(57, FlatEighty().Evaluate(contact, morning).EngagementScore);
        Assert.Equal(57, FlatEighty().Evaluate(contact, evening).EngagementScore);
        Assert.Equal(55, FlatEighty().Evaluate(contact, evening.AddMinutes(10)).EngagementScore);
    }

    [Fact]
    public void Evaluate_LatestOfEngagementDates_DrivesDecay()
    {
        var contact = new ContactBuilder().With("x", "1").LastVisit(Now.AddDays(-90))
            .With("hs_email_last_click_date", Now.AddDays(-30).ToString("O", CultureInfo.InvariantCulture)).Build();

        Assert.Equal(40, FlatEighty().Evaluate(contact, Now).EngagementScore);
    }

    [Fact]
    public void Evaluate_NoEngagementDate_NoDecay()
    {
        Assert.Equal(80, FlatEighty().Evaluate(new ContactBuilder().With("x", "1").Build(), Now).EngagementScore);
    }

    [Fact]
    public void Evaluate_DecayedScore_ReasonShowsPointsBeforeDecay()
    {
        var decision = FlatEighty().Evaluate(new ContactBuilder().With("x", "1").LastVisit(Now.AddDays(-30)).Build(), Now);

        Assert.Contains("engagement 40 of 80 before decay", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(29, QualificationStatus.Mql)]
    [InlineData(30, QualificationStatus.Recycled)]
    [InlineData(45, QualificationStatus.Recycled)]
    public void Evaluate_MqlBelowThresholdSinceStored_RecycledAfterThirtyDays(int daysBelow, QualificationStatus expected)
    {
        var since = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-daysBelow);
        var contact = new ContactBuilder().Converted("Contact us").Stage("marketingqualifiedlead")
            .With("hubsync_below_threshold_since", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Build();

        var decision = ContactBuilder.DefaultPolicy.Evaluate(contact, Now);

        Assert.Equal(expected, decision.Status);
        Assert.Equal(since, decision.BelowThresholdSince);
        Assert.Null(decision.TargetLifecycleStage);
    }

    [Fact]
    public void Evaluate_MqlJustDroppedBelowTest_StartsWindowToday()
    {
        // Fit drop (no decay involved): the window starts on the evaluation day.
        var contact = new ContactBuilder().Converted("Contact us").Stage("marketingqualifiedlead").Build();

        var decision = ContactBuilder.DefaultPolicy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Mql, decision.Status);
        Assert.Equal(DateOnly.FromDateTime(Now.UtcDateTime), decision.BelowThresholdSince);
    }

    [Fact]
    public void Evaluate_MqlBackAboveTest_ClearsWindow()
    {
        var contact = ContactBuilder.IcpMql().Stage("marketingqualifiedlead").With("hubsync_below_threshold_since", "2026-01-01").Build();
        var policy = ContactBuilder.DefaultPolicy;

        var decision = policy.Evaluate(contact, Now);
        var plan = policy.ComputeChanges(contact, decision);

        Assert.Equal(QualificationStatus.Mql, decision.Status);
        Assert.Null(decision.BelowThresholdSince);
        Assert.Equal(string.Empty, plan.Changes["hubsync_below_threshold_since"]);
    }

    [Fact]
    public void Evaluate_DecayedMqlWithoutStoredWindow_WindowStartsWhenDecayCrossedThreshold()
    {
        // Raw engagement 42 (newsletter, 4 visits, social, combo): it crosses 39.5 after 30*log2(42/39.5) ≈ 2.65 days.
        var contact = ContactBuilder.IcpMql().LastVisit(Now.AddDays(-40)).Stage("marketingqualifiedlead").Build();

        var decision = ContactBuilder.DefaultPolicy.Evaluate(contact, Now);

        Assert.Equal(DateOnly.FromDateTime(Now.AddDays(-40 + 2.65).UtcDateTime), decision.BelowThresholdSince);
        Assert.Equal(QualificationStatus.Recycled, decision.Status);
    }

    [Fact]
    public void Evaluate_RecycledThenWrittenBack_StaysRecycledWithoutChanges()
    {
        var policy = ContactBuilder.DefaultPolicy;
        var contact = ContactBuilder.IcpMql().LastVisit(Now.AddDays(-120)).Stage("marketingqualifiedlead").Build();

        var first = policy.Evaluate(contact, Now);
        var written = ContactBuilder.Apply(contact, policy.ComputeChanges(contact, first));
        var second = policy.Evaluate(written, Now.AddHours(3));

        Assert.Equal(QualificationStatus.Recycled, second.Status);
        Assert.False(policy.ComputeChanges(written, second).HasChanges);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Evaluate_RecycledWithEmptyStage_StageRepairedToLeadWithoutClear(bool allowRegression)
    {
        // What a stop between the clear and the set of a recycle regression leaves: the stage empty, the worker's outputs not yet written.
        var options = PolicyLoader.LoadDefault();
        options.Lifecycle.AllowRegression = allowRegression;
        var policy = QualificationPolicy.Compile(options);
        var since = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-45);
        var contact = new ContactBuilder().Converted("Contact us").Stage("")
            .With("hubsync_status", "mql").With("hubsync_mql_date", "2025-06-30")
            .With("hubsync_below_threshold_since", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Build();

        var decision = policy.Evaluate(contact, Now);
        var plan = policy.ComputeChanges(contact, decision);

        Assert.Equal((QualificationStatus.Recycled, "lead", false), (decision.Status, decision.TargetLifecycleStage, decision.RegressionRequired));
        Assert.Equal("lead", plan.Changes["lifecyclestage"]);
        Assert.False(plan.ClearLifecycleStageFirst);
    }
}
