using System.Globalization;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>
/// Synthetic contacts with planted effects, for the default policy: among MQLs, demo-video viewers (rule <c>demo-video</c>) become SQL
/// <see cref="VideoLift"/> times as often as the others, a newsletter sign-up (rule <c>newsletter</c>) makes no difference, and
/// students (rule <c>student-title</c>) never become SQL. Seeded: the same contacts every run.
/// </summary>
internal static class PlantedPortal
{
    public const double VideoLift = 3;
    public const double BaseSqlRate = 0.08;
    public const double CustomerRateOfSql = 0.35;

    public static DateTimeOffset AnalysedAt { get; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static QualificationPolicy Policy { get; } = QualificationPolicy.CompileDefault();

    private static readonly string[] Sources = ["ORGANIC_SEARCH", "ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA"];
    private static readonly string[] Titles = ["VP Marketing", "Head of Growth", "Marketing analyst", "Founder", "Engineer"];

    /// <summary><paramref name="count"/> contacts; <paramref name="seed"/> picks them.</summary>
    public static IReadOnlyList<InsightContact> Generate(int count = 12_000, int seed = 19)
    {
        var random = new Random(seed);
        var contacts = new List<InsightContact>(count);
        for (var i = 0; i < count; i++)
        {
            contacts.Add(Contact(random, i));
        }

        return contacts;
    }

    private static InsightContact Contact(Random random, int index)
    {
        var student = random.NextDouble() < 0.12;
        var video = random.NextDouble() < 0.35;
        var newsletter = random.NextDouble() < 0.45;
        var ebook = random.NextDouble() < 0.3;
        var conversions = new List<string>();
        if (newsletter)
        {
            conversions.Add("Newsletter signup");
        }

        if (ebook)
        {
            conversions.Add("Ebook: the SEO guide");
        }

        if (video)
        {
            conversions.Add(random.NextDouble() < 0.5 ? "Product video tour" : "Webinar replay");
        }

        conversions.Add("Contact form");
        var rare = random.NextDouble() < 0.004;
        var source = random.NextDouble() < 0.05 ? null : rare ? "OFFLINE" : Sources[random.Next(Sources.Length)];

        // A content download raises the chance to be qualified, not what happens after; the planted rules leave it alone, so
        // that no planted rule is confounded with another among the MQLs.
        var qualified = random.NextDouble() < (ebook ? 0.75 : 0.55);
        var cutoff = qualified ? AnalysedAt.AddDays(-random.Next(30, 600)) : AnalysedAt;
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["firstname"] = "First" + index,
            ["lastname"] = "Last" + index,
            ["company"] = "Company " + (index % 500),
            ["jobtitle"] = student ? "Student" : Titles[random.Next(Titles.Length)],
            ["industry"] = random.NextDouble() < 0.7 ? "COMPUTER_SOFTWARE" : "RETAIL",
            ["numemployees"] = random.Next(1, 400).ToString(CultureInfo.InvariantCulture),
            ["country"] = random.NextDouble() < 0.8 ? "France" : "Spain",
            ["email"] = $"person{index}@" + (random.NextDouble() < 0.8 ? "corp.example" : "gmail.com"),
            ["hs_analytics_num_visits"] = random.Next(0, 12).ToString(CultureInfo.InvariantCulture),
            ["hs_email_click"] = random.Next(0, 4).ToString(CultureInfo.InvariantCulture),
            ["num_conversion_events"] = conversions.Count.ToString(CultureInfo.InvariantCulture),
            ["hs_analytics_last_visit_timestamp"] = cutoff.AddDays(-random.Next(0, 20)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["hs_analytics_source"] = source,
            ["lifecyclestage"] = qualified ? "marketingqualifiedlead" : "lead",
        };

        var entered = StageEntryDates.None with { Lead = cutoff.AddDays(-40) };
        if (qualified)
        {
            entered = entered with { Mql = cutoff };
            var sqlRate = student ? 0 : BaseSqlRate * (video ? VideoLift : 1);
            if (random.NextDouble() < sqlRate)
            {
                entered = entered with { Sql = cutoff.AddDays(12) };
                if (random.NextDouble() < 0.6)
                {
                    entered = entered with { Opportunity = cutoff.AddDays(30) };
                    if (random.NextDouble() < CustomerRateOfSql / 0.6)
                    {
                        entered = entered with { Customer = cutoff.AddDays(70) };
                    }
                }
            }
        }

        var snapshot = new ContactSnapshot(index.ToString(CultureInfo.InvariantCulture), properties, conversions);
        return new InsightContact(snapshot, cutoff, entered, null, null, source, conversions[0]);
    }
}
