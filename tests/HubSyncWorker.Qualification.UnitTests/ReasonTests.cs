using System.Globalization;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>
/// The reason text, character for character: it is written to HubSpot and compared by the sync's diff, so any change in
/// its wording or punctuation would rewrite every contact.
/// </summary>
public sealed class ReasonTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly string LastVisit = Now.AddDays(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static TheoryData<string, ContactSnapshot> Contacts() => new()
    {
        {
            "MQL (fit and engagement meet the MQL test): fit 100 (senior title +25, target industry +20, company size +20, target country +10, "
            + "business email +15, complete profile +10), engagement 64 of 67 before decay (newsletter +10, content download +15, 6 visits +16, "
            + "social +5, 2 email clicks +6, newsletter + visits + social +15)",
            new ContactBuilder().Converted("Newsletter subscription", "Ebook: SEO guide")
                .With("firstname", "Claire").With("lastname", "Martin").With("company", "Acme").With("jobtitle", "VP of Marketing")
                .With("industry", "COMPUTER_SOFTWARE").With("numemployees", "200").With("country", "France").With("email", "claire@acme.example")
                .With("hs_analytics_num_visits", "6").With("hs_social_linkedin_clicks", "1").With("hs_email_click", "2")
                .With("hs_analytics_last_visit_timestamp", LastVisit).With("lifecyclestage", "lead").With("hs_lead_status", "NEW").Build()
        },
        {
            "Lead (converted or engaged): fit 0 (student or job seeker -40), engagement 14 of 15 before decay (3 visits +10, other forms +5)",
            new ContactBuilder().Converted("Request a demo")
                .With("firstname", "Tom").With("lastname", "Petit").With("jobtitle", "Étudiant en master").With("email", "tom@gmail.com")
                .With("hs_analytics_num_visits", "3").With("hs_analytics_last_visit_timestamp", LastVisit).With("lifecyclestage", "lead").Build()
        },
        {
            "Disqualified (competitor domain): fit 40 (senior title +25, business email +15), engagement 62 of 65 before decay "
            + "(content download +15, pricing page +10, 40 visits +20, 9 email clicks +15, other forms +5)",
            new ContactBuilder().Converted("Request a demo", "Pricing page", "Ebook")
                .With("jobtitle", "Head of Product").With("email", "spy@competitor.example").With("hs_analytics_num_visits", "40")
                .With("hs_email_click", "9").With("hs_analytics_last_visit_timestamp", LastVisit).With("lifecyclestage", "lead").Build()
        },
        {
            "Evangelist (referral): fit 15 (business email +15), engagement 0",
            new ContactBuilder().With("firstname", "Ana").With("lastname", "Costa").With("company", "Client Co").With("email", "ana@client.example")
                .With("lifecyclestage", "customer").With("referral_count", "2").Build()
        },
    };

    [Theory]
    [MemberData(nameof(Contacts))]
    public void Reason_DefaultPolicy_ExactText(string expected, ContactSnapshot contact) =>
        Assert.Equal(expected, ContactBuilder.DefaultPolicy.Evaluate(contact, Now).Reason);

    [Theory]
    [InlineData(30)]
    [InlineData(100)]
    public void Reason_ManyRulesFired_CompleteUpToFourThousandCharacters(int rules)
    {
        var options = PolicyLoader.LoadDefault();
        options.Fit.Rules = [.. Enumerable.Range(0, rules).Select(i => new RuleOptions
        {
            Id = $"signal-{i}", Label = $"profile signal number {i:000} of the long-reason test", Kind = "HasValue", Properties = ["company"], Points = 1,
        })];
        options.Engagement.Rules = [];
        var policy = QualificationPolicy.Compile(options);

        var reason = policy.Evaluate(new ContactBuilder().With("company", "Acme").Build(), Now).Reason;

        var full = $"Contact: fit {Math.Min(rules, 100)} ("
            + string.Join(", ", Enumerable.Range(0, rules).Select(i => $"profile signal number {i:000} of the long-reason test +1"))
            + "), engagement 0";
        Assert.Equal(full[..Math.Min(full.Length, 4000)], reason);
    }
}
