namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The eight examples of QUALIFICATION.md, on the embedded default policy.</summary>
public sealed class ExamplesTests
{
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;
    private static readonly DateTimeOffset Now = ContactBuilder.Now;

    [Fact]
    public void Example1_VpWithNewsletterFourVisitsAndLinkedInClick_IsMql()
    {
        var contact = ContactBuilder.IcpMql().Stage("lead").Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Mql, decision.Status);
        Assert.Equal("marketingqualifiedlead", decision.TargetLifecycleStage);
        Assert.False(decision.RegressionRequired);
        Assert.True(decision.FitScore >= 50, decision.Reason);
        Assert.True(decision.EngagementScore >= 40, decision.Reason);
        Assert.Equal(DateOnly.FromDateTime(Now.UtcDateTime), decision.MqlDate);
        Assert.Equal("OPEN", decision.LeadStatusToSet);
        Assert.StartsWith("MQL", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("4 visits +12", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(decision.FiredRules, r => r.RuleId == "newsletter" && r.Points == 10);
        Assert.Contains(decision.FiredRules, r => r.RuleId == "social" && r.Points == 5);
        Assert.Equal("organic:newsletter", decision.SourceBucket);
    }

    [Fact]
    public void Example2_SameVpRequestsDemo_IsSql()
    {
        var contact = ContactBuilder.IcpMql().Converted("Request a demo").Stage("marketingqualifiedlead").LeadStatus("OPEN").Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Sql, decision.Status);
        Assert.Equal("salesqualifiedlead", decision.TargetLifecycleStage);
        Assert.Null(decision.LeadStatusToSet);
        Assert.Contains("hand-raiser", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Example3_StudentWithGmailRequestingDemo_IsLeadNotMqlOrSql()
    {
        var contact = new ContactBuilder()
            .With("firstname", "Tom").With("lastname", "Petit").With("jobtitle", "Student").With("email", "tom.petit@gmail.com")
            .Converted("Request a demo").With("hs_analytics_num_visits", "5").LastVisit(Now.AddDays(-1))
            .Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Lead, decision.Status);
        Assert.Equal("lead", decision.TargetLifecycleStage);
        Assert.Equal(0, decision.FitScore);
        Assert.Null(decision.MqlDate);
        Assert.Equal("NEW", decision.LeadStatusToSet);
        Assert.Contains(decision.FiredRules, r => r.RuleId == "student-title" && r.Points == -40);
    }

    [Fact]
    public void Example4_SqlWithBudget8000AndTimeline2Months_IsOpportunity()
    {
        var contact = ContactBuilder.IcpProfile().Stage("salesqualifiedlead").LeadStatus("CONNECTED")
            .With("budget", "8000").With("project_timeline_months", "2").Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Opportunity, decision.Status);
        Assert.Equal("opportunity", decision.TargetLifecycleStage);
        Assert.Null(decision.LeadStatusToSet);
        Assert.Contains("budget and timeline", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Example5_MqlWithNoActivityFor120Days_IsRecycledAndStageUntouched()
    {
        var contact = ContactBuilder.IcpMql().Converted("Ebook: growth guide").LastVisit(Now.AddDays(-120))
            .With("recent_conversion_date", Now.AddDays(-125).ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Stage("marketingqualifiedlead").LeadStatus("OPEN").With("hubsync_mql_date", "2025-10-01").Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Recycled, decision.Status);
        Assert.Null(decision.TargetLifecycleStage);
        Assert.False(decision.RegressionRequired);
        Assert.Null(decision.LeadStatusToSet);
        Assert.Equal(new DateOnly(2025, 10, 1), decision.MqlDate);
        Assert.NotNull(decision.BelowThresholdSince);
        Assert.True(decision.EngagementScore < 40);
        Assert.StartsWith("Recycled (below the MQL test since", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Example6_CompetitorDomainWithLotsOfActivity_IsDisqualifiedNeverMql()
    {
        var contact = ContactBuilder.IcpMql().With("email", "spy@competitor.example")
            .Converted("Request a demo", "Ebook download", "Pricing page").With("hs_analytics_num_visits", "30").With("hs_email_click", "9")
            .Stage("lead").Build();

        var decision = Policy.Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Disqualified, decision.Status);
        Assert.Null(decision.TargetLifecycleStage);
        Assert.Null(decision.MqlDate);
        Assert.Equal("UNQUALIFIED", decision.LeadStatusToSet);
        Assert.StartsWith("Disqualified (competitor domain)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(decision.FiredRules, r => r.RuleId == "competitor");
    }

    [Fact]
    public void Example7_SalesMarkedConnected_KeepsLeadStatusWhateverTheWorkerComputes()
    {
        foreach (var builder in new[]
        {
            ContactBuilder.IcpMql(),
            ContactBuilder.IcpMql().With("email", "spy@competitor.example"),
            new ContactBuilder().Converted("Contact us"),
        })
        {
            var decision = Policy.Evaluate(builder.LeadStatus("CONNECTED").Build(), Now);

            Assert.Null(decision.LeadStatusToSet);
        }
    }

    [Fact]
    public void Example8_CustomerStaysCustomer_AndWithReferralBecomesEvangelist()
    {
        var customer = new ContactBuilder().Stage("customer").With("jobtitle", "Student").Build();
        var referrer = new ContactBuilder().Stage("customer").With("referral_count", "1").Build();

        var stays = Policy.Evaluate(customer, Now);
        var promoted = Policy.Evaluate(referrer, Now);

        Assert.Equal(QualificationStatus.Customer, stays.Status);
        Assert.Null(stays.TargetLifecycleStage);
        Assert.Equal(QualificationStatus.Evangelist, promoted.Status);
        Assert.Equal("evangelist", promoted.TargetLifecycleStage);
        Assert.False(promoted.RegressionRequired);
        Assert.StartsWith("Evangelist (referral)", promoted.Reason, StringComparison.Ordinal);
    }
}
