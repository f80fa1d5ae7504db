using System.Globalization;
using CsCheck;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>Properties of the analysis over random contacts (CsCheck).</summary>
public sealed class InsightsPropertyTests
{
    private static readonly QualificationPolicy Policy = ContactBuilder.DefaultPolicy;
    private static readonly DateTimeOffset Now = ContactBuilder.Now;
    private static readonly string[] Titles = ["VP Sales", "Student", "Engineer", "Founder"];
    private static readonly string[] Conversions = ["Newsletter signup", "Product video tour", "Ebook", "Request a demo", "Contact us"];
    private static readonly string?[] Sources = [null, "ORGANIC_SEARCH", "PAID_SEARCH", "OFFLINE"];

    private static readonly Gen<InsightContact> Contact =
        Gen.Select(Gen.OneOf(Titles), Gen.OneOf(Conversions).Array[0, 4], Gen.Int[0, 12], Gen.Int[0, 5], Gen.OneOf(Sources), Gen.Int[0, 99], Gen.Bool)
            .Select((title, conversions, visits, stage, source, id, competitor) =>
            {
                var builder = ContactBuilder.IcpProfile().With("jobtitle", title).Converted(conversions)
                    .With("hs_analytics_num_visits", visits.ToString(CultureInfo.InvariantCulture)).LastVisit(Now.AddDays(-2));
                if (competitor)
                {
                    builder.With("email", "someone@competitor.example");
                }

                // 0: never qualified, 1: MQL, 2: SQL, 3: opportunity, 4: customer, 5: SQL without an MQL date.
                var entered = stage switch
                {
                    0 => StageEntryDates.None,
                    1 => InsightContacts.Mql(Now),
                    2 => InsightContacts.MqlThenSql(Now),
                    3 => InsightContacts.MqlThenSql(Now) with { Opportunity = Now.AddDays(9) },
                    4 => InsightContacts.MqlThenSql(Now) with { Opportunity = Now.AddDays(9), Customer = Now.AddDays(20) },
                    _ => StageEntryDates.None with { Sql = Now },
                };
                return InsightContacts.Of(builder, entered, source: source, offer: conversions.FirstOrDefault(), id: id.ToString(CultureInfo.InvariantCulture));
            });

    [Fact]
    public void Analyze_AnyContacts_ConsistentCountsRatesAndIntervals() =>
        Contact.List[0, 200].Sample(contacts =>
        {
            var report = InsightsAnalyzer.Analyze(contacts, Policy, new InsightsRequest(0.3, 20, 20), Now, Policy);

            Assert.Equal(contacts.Count, report.Contacts);
            foreach (var rate in report.Funnel.Values)
            {
                Assert.InRange(rate.Converted, 0, rate.Eligible);
            }

            foreach (var signal in report.Rules.Concat(report.Sources).Concat(report.Offers))
            {
                Assert.InRange(signal.With, 1, contacts.Count);
                Assert.False(signal.DoesNotPredict && !signal.EnoughData);
                foreach (var step in signal.Steps)
                {
                    Assert.Equal(report.Funnel[step.Step], new StepRate(step.With.Eligible + step.Without.Eligible, step.With.Converted + step.Without.Converted));
                    Assert.InRange(step.With.Rate ?? 0, 0, 1);
                    Assert.InRange(step.Without.Rate ?? 0, 0, 1);
                    Assert.Equal(step.With.Eligible > 0 && step.Without.Eligible > 0, step.Lift is not null);
                    if (step.Lift is { } lift)
                    {
                        Assert.InRange(lift.Ratio, lift.Low * (1 - 1e-12), lift.High * (1 + 1e-12));
                    }
                }
            }

            Assert.Equal(contacts.Count, report.Calibration.Cells.Sum(c => c.Contacts));
            Assert.All(report.Thresholds, t => Assert.InRange(t.MqlToSql.Converted, 0, t.Mqls));

            // The same policy as candidate gives the same outcome, and each outcome accounts for every SQL.
            Assert.Equal(report.Comparison!.Current, report.Comparison.Candidate);
            var sqls = contacts.Count(c => c.Entered.Sql is not null || c.Entered.Opportunity is not null || c.Entered.Customer is not null);
            Assert.Equal(sqls, report.Comparison.Current.BecameSql + report.Comparison.Current.MissedSqls);
        }, iter: 100);
}
