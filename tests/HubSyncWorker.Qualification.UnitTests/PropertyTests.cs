using System.Globalization;
using CsCheck;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Property-based checks over random contacts (CsCheck).</summary>
public sealed class PropertyTests
{
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;
    private static readonly DateTimeOffset Now = ContactBuilder.Now;

    private static readonly string[] Titles = ["VP Sales", "Student", "Engineer", "Head of Data", "", "Stagiaire marketing", "Founder"];
    private static readonly string[] Domains = ["acme.example", "gmail.com", "competitor.example", "corp.example"];
    private static readonly string[] ConversionNames = ["Newsletter", "Request a demo", "Ebook SEO", "Contact us", "Pricing page", "Webinar replay", "Free trial"];
    private static readonly string?[] Stages = [null, "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];
    private static readonly string?[] LeadStatuses = [null, "NEW", "OPEN", "IN_PROGRESS", "CONNECTED", "UNQUALIFIED", "BAD_TIMING"];

    internal sealed record Input(ContactBuilder Builder, int Visits, int Clicks, string[] Conversions);

    private static readonly Gen<Input> Contacts =
        Gen.Select(
            Gen.Select(Gen.OneOf(Titles), Gen.OneOf(Domains), Gen.Int[0, 1000], Gen.Bool, Gen.OneOf(Stages), Gen.OneOf(LeadStatuses)),
            Gen.Select(Gen.Int[0, 40], Gen.Int[0, 10], Gen.Int[0, 3], Gen.Int[0, 200], Gen.OneOf(ConversionNames).Array[0, 6], Gen.Int[-1, 90]),
            (profile, behaviour) =>
            {
                var (title, domain, employees, optout, stage, leadStatus) = profile;
                var (visits, clicks, social, daysAgo, conversions, belowDays) = behaviour;
                var builder = new ContactBuilder()
                    .With("firstname", "A").With("lastname", "B").With("company", "C").With("jobtitle", title)
                    .With("email", "someone@" + domain).With("numemployees", employees.ToString(CultureInfo.InvariantCulture))
                    .With("industry", "COMPUTER_SOFTWARE").With("country", "France")
                    .With("hs_email_optout", optout ? "true" : "false")
                    .With("lifecyclestage", stage).With("hs_lead_status", leadStatus)
                    .With("hs_social_linkedin_clicks", social.ToString(CultureInfo.InvariantCulture))
                    .LastVisit(Now.AddDays(-daysAgo))
                    .Converted(conversions);
                if (belowDays >= 0)
                {
                    builder.With("hubsync_below_threshold_since", DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-belowDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }

                return new Input(builder, visits, clicks, conversions);
            });

    private static ContactSnapshot Build(Input input, int extraVisits = 0, int extraClicks = 0) => input.Builder
        .With("hs_analytics_num_visits", (input.Visits + extraVisits).ToString(CultureInfo.InvariantCulture))
        .With("hs_email_click", (input.Clicks + extraClicks).ToString(CultureInfo.InvariantCulture))
        .Build();

    [Fact]
    public void Evaluate_SameInput_SameDecision() =>
        Contacts.Sample(input =>
        {
            var contact = Build(input);
            var a = Policy.Evaluate(contact, Now);
            var b = Policy.Evaluate(contact, Now);
            Assert.Equal(a with { FiredRules = [] }, b with { FiredRules = [] });
            Assert.Equal(a.FiredRules, b.FiredRules);
        }, iter: 300);

    [Fact]
    public void Evaluate_AddingPositiveSignal_NeverLowersAScore() =>
        Gen.Select(Contacts, Gen.Int[1, 10], Gen.Int[1, 5]).Sample((input, moreVisits, moreClicks) =>
        {
            var before = Policy.Evaluate(Build(input), Now);
            var after = Policy.Evaluate(Build(input, moreVisits, moreClicks), Now);
            Assert.True(after.FitScore >= before.FitScore);
            Assert.True(after.EngagementScore >= before.EngagementScore, $"{before.Reason} -> {after.Reason}");
            Assert.True(after.Score >= before.Score);
        }, iter: 300);

    [Fact]
    public void Evaluate_AddingPositiveConversion_NeverLowersEngagement() =>
        Gen.Select(Contacts, Gen.OneOf("Newsletter", "Ebook SEO", "Webinar replay", "Contact us")).Sample((input, extra) =>
        {
            var before = Policy.Evaluate(Build(input), Now);
            var builder = input.Builder;
            var after = Policy.Evaluate(Build(input with { Builder = builder.Converted(extra) }), Now);
            Assert.True(after.EngagementScore >= before.EngagementScore, $"{before.Reason} -> {after.Reason}");
        }, iter: 300);

    [Fact]
    public void Evaluate_AnyContact_ScoresStayInRange() =>
        Contacts.Sample(input =>
        {
            var decision = Policy.Evaluate(Build(input), Now);
            Assert.InRange(decision.FitScore, 0, 100);
            Assert.InRange(decision.EngagementScore, 0, 100);
            Assert.InRange(decision.Score, 0, 100);
            Assert.True(decision.Reason.Length is > 0 and < 65_536);
        }, iter: 500);

    [Fact]
    public void Evaluate_RegressionOff_NeverMovesStageBackwards() =>
        Contacts.Sample(input =>
        {
            var contact = Build(input);
            var decision = Policy.Evaluate(contact, Now);
            Assert.False(decision.RegressionRequired);
            if (decision.TargetLifecycleStage is { } target && contact.Get("lifecyclestage") is { } current)
            {
                var order = Policy.LifecycleOrder;
                Assert.True(order.ToList().IndexOf(target) > order.ToList().IndexOf(current), $"{current} -> {target}");
            }

            Assert.NotEqual("customer", decision.TargetLifecycleStage);
        }, iter: 500);

    [Fact]
    public void ComputeChanges_AfterWriteBack_SecondEvaluationWritesNothing() =>
        Contacts.Sample(input =>
        {
            var contact = Build(input);
            var first = Policy.Evaluate(contact, Now);
            var written = ContactBuilder.Apply(contact, Policy.ComputeChanges(contact, first));
            var second = Policy.Evaluate(written, Now);
            var plan = Policy.ComputeChanges(written, second);
            Assert.True(!plan.HasChanges, string.Join(", ", plan.Changes.Select(c => $"{c.Key}={c.Value}")));
        }, iter: 300);
}
