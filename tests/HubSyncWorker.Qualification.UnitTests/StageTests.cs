using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Lifecycle and lead-status ownership rules.</summary>
public sealed class StageTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;

    private static QualificationPolicy RegressionPolicy()
    {
        var options = PolicyLoader.LoadDefault();
        options.Lifecycle.AllowRegression = true;
        return QualificationPolicy.Compile(options);
    }

    [Theory]
    [InlineData("IN_PROGRESS")]
    [InlineData("CONNECTED")]
    [InlineData("ATTEMPTED_TO_CONTACT")]
    [InlineData("OPEN_DEAL")]
    [InlineData("BAD_TIMING")]
    public void Evaluate_SalesOwnedLeadStatus_NeverOverwritten(string status)
    {
        var mql = Policy.Evaluate(ContactBuilder.IcpMql().LeadStatus(status).Build(), Now);
        var disqualified = Policy.Evaluate(ContactBuilder.IcpMql().With("email", "x@competitor.example").LeadStatus(status).Build(), Now);
        var lead = Policy.Evaluate(new ContactBuilder().Converted("Contact us").LeadStatus(status).Build(), Now);

        Assert.Null(mql.LeadStatusToSet);
        Assert.Null(disqualified.LeadStatusToSet);
        Assert.Null(lead.LeadStatusToSet);
    }

    [Theory]
    [InlineData(null, "NEW")]
    [InlineData("", "NEW")]
    [InlineData("NEW", null)]
    [InlineData("OPEN", null)]
    [InlineData("UNQUALIFIED", null)]
    public void Evaluate_NewLead_SetsNewOnlyWhenEmpty(string? current, string? expected)
    {
        var decision = Policy.Evaluate(new ContactBuilder().Converted("Contact us").With("hs_lead_status", current).Build(), Now);

        Assert.Equal(QualificationStatus.Lead, decision.Status);
        Assert.Equal(expected, decision.LeadStatusToSet);
    }

    [Theory]
    [InlineData(null, "OPEN")]
    [InlineData("NEW", "OPEN")]
    [InlineData("OPEN", null)]
    [InlineData("UNQUALIFIED", null)]
    [InlineData("SOME_CUSTOM_STATUS", null)]
    public void Evaluate_NewMql_SetsOpenOnlyFromEmptyOrNew(string? current, string? expected)
    {
        var decision = Policy.Evaluate(ContactBuilder.IcpMql().With("hs_lead_status", current).Build(), Now);

        Assert.Equal(QualificationStatus.Mql, decision.Status);
        Assert.Equal(expected, decision.LeadStatusToSet);
    }

    [Theory]
    [InlineData(null, "UNQUALIFIED")]
    [InlineData("NEW", "UNQUALIFIED")]
    [InlineData("OPEN", "UNQUALIFIED")]
    [InlineData("UNQUALIFIED", null)]
    [InlineData("CONNECTED", null)]
    [InlineData("SOME_CUSTOM_STATUS", null)]
    public void Evaluate_Disqualified_SetsUnqualifiedOnlyFromEmptyNewOrOpen(string? current, string? expected)
    {
        var decision = Policy.Evaluate(new ContactBuilder().With("hs_email_bad_address", "true").With("hs_lead_status", current).Build(), Now);

        Assert.Equal(QualificationStatus.Disqualified, decision.Status);
        Assert.Equal(expected, decision.LeadStatusToSet);
    }

    [Fact]
    public void Evaluate_LeadStatusNotManaged_NeverSetsOne()
    {
        var options = PolicyLoader.LoadDefault();
        options.LeadStatus.Manage = false;

        var decision = QualificationPolicy.Compile(options).Evaluate(ContactBuilder.IcpMql().Build(), Now);

        Assert.Equal(QualificationStatus.Mql, decision.Status);
        Assert.Null(decision.LeadStatusToSet);
    }

    [Theory]
    [InlineData("marketingqualifiedlead", QualificationStatus.Mql)]
    [InlineData("salesqualifiedlead", QualificationStatus.Sql)]
    [InlineData("opportunity", QualificationStatus.Opportunity)]
    public void Evaluate_HubSpotAheadOfComputedStage_NeverRegressesWithRegressionOff(string stage, QualificationStatus expected)
    {
        // A lead by the data (one form, no fit) that HubSpot already shows further down the funnel.
        var decision = Policy.Evaluate(new ContactBuilder().Converted("Contact us").Stage(stage).LeadStatus("ATTEMPTED_TO_CONTACT").Build(), Now);

        Assert.Null(decision.TargetLifecycleStage);
        Assert.False(decision.RegressionRequired);
        Assert.Equal(expected, decision.Status);
    }

    [Fact]
    public void Evaluate_RegressionOnAndHubSpotAhead_ClearThenSetComputedStage()
    {
        var decision = RegressionPolicy().Evaluate(ContactBuilder.IcpMql().Stage("opportunity").Build(), Now);

        Assert.Equal("marketingqualifiedlead", decision.TargetLifecycleStage);
        Assert.True(decision.RegressionRequired);
        Assert.Equal(QualificationStatus.Mql, decision.Status);
    }

    [Fact]
    public void Evaluate_RegressionOnButMqlWithinRecycleWindow_KeepsStage()
    {
        var decision = RegressionPolicy().Evaluate(new ContactBuilder().Converted("Contact us").Stage("opportunity").Build(), Now);

        Assert.Null(decision.TargetLifecycleStage);
        Assert.False(decision.RegressionRequired);
        Assert.Equal(QualificationStatus.Opportunity, decision.Status);
    }

    [Fact]
    public void Evaluate_RegressionOnAndRecycledMql_ClearThenSetLead()
    {
        var contact = ContactBuilder.IcpMql().LastVisit(Now.AddDays(-120)).Stage("marketingqualifiedlead").Build();

        var decision = RegressionPolicy().Evaluate(contact, Now);

        Assert.Equal(QualificationStatus.Recycled, decision.Status);
        Assert.Equal("lead", decision.TargetLifecycleStage);
        Assert.True(decision.RegressionRequired);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_Customer_NeverRemovedNorSet(bool regression)
    {
        var policy = regression ? RegressionPolicy() : Policy;
        var customer = policy.Evaluate(new ContactBuilder().Stage("customer").With("email", "a@competitor.example").Build(), Now);
        var sqlByData = policy.Evaluate(ContactBuilder.IcpMql().Converted("Request a demo").Stage("customer").Build(), Now);

        Assert.Equal(QualificationStatus.Customer, customer.Status);
        Assert.Null(customer.TargetLifecycleStage);
        Assert.Null(customer.LeadStatusToSet);
        Assert.Null(sqlByData.TargetLifecycleStage);
        Assert.Equal(QualificationStatus.Customer, sqlByData.Status);
    }

    [Fact]
    public void Evaluate_DealButNoCustomerStage_IsOpportunityNeverCustomer()
    {
        var decision = Policy.Evaluate(new ContactBuilder().Deals(2).Build(), Now);

        Assert.Equal(QualificationStatus.Opportunity, decision.Status);
        Assert.Equal("opportunity", decision.TargetLifecycleStage);
    }

    [Theory]
    [InlineData("5000", "3", QualificationStatus.Opportunity)]
    [InlineData("4999", "2", QualificationStatus.Sql)]
    [InlineData("8000", "4", QualificationStatus.Sql)]
    [InlineData("8000", null, QualificationStatus.Sql)]
    public void Evaluate_BudgetAndTimelineOnSql_BoundariesInclusive(string budget, string? timeline, QualificationStatus expected)
    {
        var decision = Policy.Evaluate(ContactBuilder.IcpProfile().Stage("salesqualifiedlead").With("budget", budget).With("project_timeline_months", timeline).Build(), Now);

        Assert.Equal(expected, decision.Status);
    }

    [Fact]
    public void Evaluate_BudgetAndTimelineOnPlainLead_NotAnOpportunity()
    {
        var decision = Policy.Evaluate(new ContactBuilder().Converted("Contact us").With("budget", "9000").With("project_timeline_months", "1").Build(), Now);

        Assert.Equal(QualificationStatus.Lead, decision.Status);
    }

    [Theory]
    [InlineData("CONNECTED", "marketingqualifiedlead", QualificationStatus.Sql)]
    [InlineData("IN_PROGRESS", "marketingqualifiedlead", QualificationStatus.Sql)]
    [InlineData("CONNECTED", "lead", QualificationStatus.Lead)]
    [InlineData("ATTEMPTED_TO_CONTACT", "marketingqualifiedlead", QualificationStatus.Mql)]
    public void Evaluate_SalesConnectedOnMql_BecomesSql(string leadStatus, string stage, QualificationStatus expected)
    {
        var decision = Policy.Evaluate(new ContactBuilder().Converted("Contact us").Stage(stage).LeadStatus(leadStatus).Build(), Now);

        Assert.Equal(expected, decision.Status);
    }

    [Fact]
    public void Evaluate_NoConversionNoEngagement_IsContact()
    {
        var decision = Policy.Evaluate(ContactBuilder.IcpProfile().Build(), Now);

        Assert.Equal(QualificationStatus.Contact, decision.Status);
        Assert.Equal("subscriber", decision.TargetLifecycleStage);
        Assert.Null(decision.LeadStatusToSet);
    }

    [Fact]
    public void Evaluate_StageOutsideTheFunnel_IsNeverTouched()
    {
        var decision = RegressionPolicy().Evaluate(ContactBuilder.IcpMql().Stage("other").Build(), Now);

        Assert.Null(decision.TargetLifecycleStage);
        Assert.Equal(QualificationStatus.Mql, decision.Status);
    }

    [Fact]
    public void Evaluate_CustomStageOrderFromPortal_UsesPortalValues()
    {
        var options = PolicyLoader.LoadDefault();
        options.Lifecycle.Order = ["subscriber", "lead", "1234567", "salesqualifiedlead", "opportunity", "customer", "evangelist"];
        options.Lifecycle.Stages.Mql = "1234567";

        var decision = QualificationPolicy.Compile(options).Evaluate(ContactBuilder.IcpMql().Stage("lead").Build(), Now);

        Assert.Equal("1234567", decision.TargetLifecycleStage);
        Assert.Equal(QualificationStatus.Mql, decision.Status);
    }

    [Theory]
    [InlineData("p-contact", QualificationStatus.Contact)]
    [InlineData("p-lead", QualificationStatus.Lead)]
    [InlineData("p-mql", QualificationStatus.Mql)]
    [InlineData("p-sql", QualificationStatus.Sql)]
    [InlineData("p-opportunity", QualificationStatus.Opportunity)]
    [InlineData("p-customer", QualificationStatus.Customer)]
    [InlineData("p-evangelist", QualificationStatus.Evangelist)]
    public void Evaluate_EveryStageRenamedInThePortal_ReadAsItsOwnStage(string stage, QualificationStatus expected)
    {
        // A contact with no data stays where HubSpot has it (no regression), so each portal value must map to its own stage.
        var options = PolicyLoader.LoadDefault();
        options.Lifecycle.Order = ["p-contact", "p-lead", "p-mql", "p-sql", "p-opportunity", "p-customer", "p-evangelist", "other"];
        options.Lifecycle.Stages = new StageValuesOptions
        {
            Contact = "p-contact", Lead = "p-lead", Mql = "p-mql", Sql = "p-sql", Opportunity = "p-opportunity", Customer = "p-customer", Evangelist = "p-evangelist",
        };

        var decision = QualificationPolicy.Compile(options).Evaluate(new ContactBuilder().Stage(stage).Build(), Now);

        Assert.Equal(expected, decision.Status);
        Assert.Null(decision.TargetLifecycleStage);
    }

    [Fact]
    public void Evaluate_MqlDateAlreadySet_KeptEvenWhenNowLater()
    {
        var decision = Policy.Evaluate(ContactBuilder.IcpMql().With("hubsync_mql_date", "1767225600000").Build(), Now);

        Assert.Equal(new DateOnly(2026, 1, 1), decision.MqlDate);
    }

    [Fact]
    public void Evaluate_LeadNeverMql_HasNoMqlDate()
    {
        var decision = Policy.Evaluate(new ContactBuilder().Converted("Contact us").Build(), Now);

        Assert.Null(decision.MqlDate);
    }
}
