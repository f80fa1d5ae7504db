using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Table tests for every rule kind, with boundary values, on the default policy's rules or small custom ones.</summary>
public sealed class RuleTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;

    internal static int? PointsOf(QualificationDecision decision, string ruleId)
    {
        foreach (var rule in decision.FiredRules)
        {
            if (rule.RuleId == ruleId)
            {
                return rule.Points;
            }
        }

        return null;
    }

    private static int? DefaultPoints(ContactBuilder builder, string ruleId) =>
        PointsOf(ContactBuilder.DefaultPolicy.Evaluate(builder.Build(), Now), ruleId);

    /// <summary>A policy whose only scoring rule is <paramref name="rule"/> (in the engagement set, no decay).</summary>
    internal static QualificationPolicy SingleRulePolicy(RuleOptions rule)
    {
        var options = PolicyLoader.LoadDefault();
        options.Fit.Rules = [];
        options.Engagement.Rules = [rule];
        options.Engagement.DecayHalfLifeDays = 0;
        return QualificationPolicy.Compile(options);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("2", null)]
    [InlineData("3", 10)]
    [InlineData("4", 12)]
    [InlineData("8", 20)]
    [InlineData("20", 20)]
    [InlineData("3.0", 10)]
    [InlineData("abc", null)]
    public void Range_SiteVisits_TenAtThreeThenTwoPerVisitUpToTwenty(string? visits, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("hs_analytics_num_visits", visits), "site-visits"));

    [Theory]
    [InlineData("9", null)]
    [InlineData("10", 20)]
    [InlineData("11", 20)]
    [InlineData("5000", 20)]
    [InlineData("", null)]
    public void Range_CompanySize_AtLeastTenEmployees(string employees, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("numemployees", employees), "company-size"));

    [Theory]
    [InlineData("0", null)]
    [InlineData("1", 3)]
    [InlineData("4", 12)]
    [InlineData("5", 15)]
    [InlineData("6", 15)]
    [InlineData("40", 15)]
    public void Range_EmailClicks_ThreeEachMaxFive(string clicks, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("hs_email_click", clicks), "email-clicks"));

    [Theory]
    [InlineData("hs_social_num_broadcast_clicks", "0", null)]
    [InlineData("hs_social_num_broadcast_clicks", "1", 5)]
    [InlineData("hs_social_twitter_clicks", "3", 5)]
    [InlineData("hs_social_facebook_clicks", "1", 5)]
    public void Range_SocialClicksSummedOverNetworks_FivePoints(string property, string clicks, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With(property, clicks), "social"));

    [Theory]
    [InlineData(5, 10, "4", null)]
    [InlineData(5, 10, "5", 7)]
    [InlineData(5, 10, "10", 7)]
    [InlineData(5, 10, "11", null)]
    public void Range_MinAndMax_AreInclusive(double min, double max, string value, int? expected)
    {
        var policy = SingleRulePolicy(new RuleOptions { Id = "r", Kind = "Range", Property = "x", Min = min, Max = max, Points = 7 });

        Assert.Equal(expected, PointsOf(policy.Evaluate(new ContactBuilder().With("x", value).Build(), Now), "r"));
    }

    [Theory]
    [InlineData("VP of Marketing", 25)]
    [InlineData("Head of Growth", 25)]
    [InlineData("Directeur commercial", 25)]
    [InlineData("Sales Managers", 25)]
    [InlineData("Co-Founder & CEO", 25)]
    [InlineData("vice president, sales", 25)]
    [InlineData("Software engineer", null)]
    [InlineData("Headhunterz", null)]
    [InlineData("", null)]
    public void Contains_SeniorTitle_MatchesWordsCaseInsensitively(string title, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("jobtitle", title), "senior-title"));

    [Theory]
    [InlineData("Student", -40)]
    [InlineData("Étudiante en master", -40)]
    [InlineData("Marketing intern", -40)]
    [InlineData("International sales director", null)]
    [InlineData("Internal auditor", null)]
    public void Contains_StudentTitle_RemovesFortyButNotInsideOtherWords(string title, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("jobtitle", title), "student-title"));

    [Theory]
    [InlineData("COMPUTER_SOFTWARE", 20)]
    [InlineData("computer_software", 20)]
    [InlineData("RETAIL", null)]
    [InlineData(null, null)]
    public void In_TargetIndustry_CaseInsensitive(string? industry, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("industry", industry), "target-industry"));

    [Theory]
    [InlineData("true", -20)]
    [InlineData("TRUE", -20)]
    [InlineData("false", null)]
    [InlineData(null, null)]
    public void Equals_Unsubscribed_RemovesTwenty(string? optout, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("hs_email_optout", optout), "unsubscribed"));

    [Theory]
    [InlineData("jane@acme.example", 15)]
    [InlineData("jane@GMAIL.com", null)]
    [InlineData("jane@mail.yahoo.com", null)]
    [InlineData("jane@notgmail.com", 15)]
    [InlineData(null, null)]
    public void EmailDomain_Negated_BusinessEmailOnlyWhenNotFreeMailAndPresent(string? email, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().With("email", email), "business-email"));

    [Theory]
    [InlineData("a@competitor.example", QualificationStatus.Disqualified)]
    [InlineData("a@eu.rival.example", QualificationStatus.Disqualified)]
    [InlineData("a@competitor.example.org", QualificationStatus.Lead)]
    public void EmailDomain_Competitor_DisqualifiesDomainAndSubdomains(string email, QualificationStatus expected)
    {
        var decision = ContactBuilder.DefaultPolicy.Evaluate(new ContactBuilder().With("email", email).Converted("Contact us").Build(), Now);

        Assert.Equal(expected, decision.Status);
    }

    [Theory]
    [InlineData("a@eu.acme.example", 1, 2)]
    [InlineData("a@acme.example", 1, 2)]
    [InlineData("a@other.example", 1, null)]
    [InlineData("a@acme.org", null, null)]
    public void EmailDomain_TwoRulesOnOneProperty_EachMatchesItsOwnDomainLevel(string email, int? parentPoints, int? domainPoints)
    {
        var policy = TwoRulePolicy(
            new RuleOptions { Id = "parent", Kind = "EmailDomain", Property = "email", Domains = ["example"], Points = 1 },
            new RuleOptions { Id = "domain", Kind = "EmailDomain", Property = "email", Domains = ["acme.example"], Points = 2 });

        var decision = policy.Evaluate(new ContactBuilder().With("email", email).Build(), Now);

        Assert.Equal((parentPoints, domainPoints), (PointsOf(decision, "parent"), PointsOf(decision, "domain")));
    }

    [Theory]
    [InlineData("Head of Growth", 1, null)]
    [InlineData("Growth intern", null, 2)]
    [InlineData("Head intern", 1, 2)]
    [InlineData("Engineer", null, null)]
    public void Contains_TwoRulesOnOneProperty_EachFiresOnItsOwnKeywords(string title, int? headPoints, int? internPoints)
    {
        var policy = TwoRulePolicy(
            new RuleOptions { Id = "head", Kind = "Contains", Property = "jobtitle", Keywords = ["head"], Points = 1 },
            new RuleOptions { Id = "intern", Kind = "Contains", Property = "jobtitle", Keywords = ["intern"], Points = 2 });

        var decision = policy.Evaluate(new ContactBuilder().With("jobtitle", title).Build(), Now);

        Assert.Equal((headPoints, internPoints), (PointsOf(decision, "head"), PointsOf(decision, "intern")));
    }

    /// <summary>A policy whose only scoring rules are <paramref name="first"/> and <paramref name="second"/> (engagement set, no decay).</summary>
    private static QualificationPolicy TwoRulePolicy(RuleOptions first, RuleOptions second)
    {
        var options = PolicyLoader.LoadDefault();
        options.Fit.Rules = [];
        options.Engagement.Rules = [first, second];
        options.Engagement.DecayHalfLifeDays = 0;
        return QualificationPolicy.Compile(options);
    }

    [Theory]
    [InlineData("Claire", "Martin", "Acme", "0601", null, 10)]
    [InlineData("Claire", "Martin", "Acme", null, "CEO", 10)]
    [InlineData("Claire", "Martin", "Acme", null, null, null)]
    [InlineData("Claire", "", "Acme", "0601", "CEO", null)]
    public void HasValue_CompleteProfile_NeedsNamesCompanyAndPhoneOrTitle(string first, string last, string company, string? phone, string? title, int? expected) =>
        Assert.Equal(expected, DefaultPoints(
            new ContactBuilder().With("firstname", first).With("lastname", last).With("company", company).With("phone", phone).With("jobtitle", title),
            "complete-profile"));

    [Theory]
    [InlineData(0, 9)]
    [InlineData(13.5, 9)]
    [InlineData(14, 9)]
    [InlineData(14.01, null)]
    [InlineData(400, null)]
    public void WithinDays_DateExactlyNDaysAgo_IsWithin(double daysAgo, int? expected)
    {
        var policy = SingleRulePolicy(new RuleOptions { Id = "recent", Kind = "WithinDays", Property = "d", Days = 14, Points = 9 });
        var contact = new ContactBuilder().With("d", Now.AddDays(-daysAgo).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)).Build();

        Assert.Equal(expected, PointsOf(policy.Evaluate(contact, Now), "recent"));
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "Ebook: SEO" }, 15)]
    [InlineData(new[] { "Ebook: SEO", "Livre blanc CRM" }, 30)]
    [InlineData(new[] { "Ebook: SEO", "Livre blanc CRM", "Case study Acme" }, 30)]
    [InlineData(new[] { "Newsletter" }, null)]
    public void Conversion_ContentDownload_FifteenEachMaxTwo(string[] conversions, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().Converted(conversions), "content-download"));

    [Theory]
    [InlineData("Newsletter", 10)]
    [InlineData("NEWSLETTER signup", 10)]
    [InlineData("Newsletters", 10)]
    [InlineData("Request a demo", null)]
    public void Conversion_Newsletter_TenOnce(string conversion, int? expected) =>
        Assert.Equal(expected, DefaultPoints(new ContactBuilder().Converted(conversion, conversion), "newsletter"));

    [Theory]
    [InlineData("Webinar #12 replay", 4)]
    [InlineData("WEBINAR 3 REPLAY", 4)]
    [InlineData("Webinar live", null)]
    public void Conversion_RegexPattern_CountsMatches(string conversion, int? expected)
    {
        var policy = SingleRulePolicy(new RuleOptions { Id = "replay", Kind = "Conversion", Pattern = @"^webinar\s.*replay$", Points = 4 });

        Assert.Equal(expected, PointsOf(policy.Evaluate(new ContactBuilder().Converted(conversion).Build(), Now), "replay"));
    }

    [Theory]
    [InlineData(new[] { "Newsletter" }, "1", null)]
    [InlineData(new[] { "Newsletter", "Contact us" }, "2", 5)]
    [InlineData(new[] { "Contact us", "Request a demo", "Quote" }, "3", 15)]
    [InlineData(new[] { "Newsletter" }, "7", 20)]
    [InlineData(new[] { "Ebook", "Ebook", "Ebook" }, "3", null)]
    public void OtherConversions_CountMinusPatternMatched_FiveEachMaxFour(string[] history, string count, int? expected)
    {
        var contact = new ContactBuilder().Converted(history).With("num_conversion_events", count);

        Assert.Equal(expected, DefaultPoints(contact, "other-forms"));
    }

    [Theory]
    [InlineData(true, true, true, 15)]
    [InlineData(true, true, false, null)]
    [InlineData(false, true, true, null)]
    public void AllOf_NurtureCombo_OnlyWhenNewsletterVisitsAndSocialAllFire(bool newsletter, bool visits, bool social, int? expected)
    {
        var builder = new ContactBuilder();
        if (newsletter)
        {
            builder.Converted("Newsletter");
        }

        builder.With("hs_analytics_num_visits", visits ? "3" : "1").With("hs_social_linkedin_clicks", social ? "1" : "0");

        Assert.Equal(expected, DefaultPoints(builder, "nurture-combo"));
    }

    [Theory]
    [InlineData(25, null, 25)]
    [InlineData(25, 10, 10)]
    [InlineData(-40, 30, -30)]
    public void MaxPoints_CapsTheAbsolutePoints(int points, int? cap, int expected)
    {
        var policy = SingleRulePolicy(new RuleOptions { Id = "r", Kind = "HasValue", Properties = ["x"], Points = points, MaxPoints = cap });

        Assert.Equal(expected, PointsOf(policy.Evaluate(new ContactBuilder().With("x", "y").Build(), Now), "r"));
    }

    [Fact]
    public void FitScore_ManyPositiveSignals_ClampedToHundred()
    {
        var decision = ContactBuilder.DefaultPolicy.Evaluate(ContactBuilder.IcpProfile().With("phone", "0601").Build(), Now);

        Assert.Equal(100, decision.FitScore);
    }
}
