using System.Globalization;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>A deterministic mix of contacts in and out of the ICP, with engagement spread so every stage occurs.</summary>
internal static class PortalSeed
{
    private static readonly string[] Titles = ["VP Marketing", "Head of Sales", "Marketing Manager", "Founder", "Developer", "Student", "Intern", "Analyst", "CTO", "Assistant"];
    private static readonly string[] Industries = ["COMPUTER_SOFTWARE", "INTERNET", "MARKETING_AND_ADVERTISING", "RETAIL", "CONSTRUCTION", "HOSPITAL_HEALTH_CARE"];
    private static readonly string[] Domains = ["acme.io", "globex.com", "initech.fr", "gmail.com", "yahoo.fr", "competitor.example"];
    private static readonly string[] Countries = ["France", "Germany", "United Kingdom", "Brazil", "Japan"];
    private static readonly string[] Conversions = ["Newsletter signup", "Ebook: lead scoring", "Webinar replay", "Request a demo", "Contact us", "Pricing page form", "Free trial"];
    private static readonly string[] Sources = ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "DIRECT_TRAFFIC"];

    /// <summary>Properties of contact number <paramref name="i"/>; <paramref name="maxConversions"/> bounds the conversion count.</summary>
    public static Dictionary<string, string?> Contact(int i, DateTimeOffset now, int seed = 7, int maxConversions = 2)
    {
        // A fixed seed per contact: HashCode.Combine is randomised per process, so the portal (and which stages occur) changed
        // from one test run to the next.
        var random = new Random(Seed(seed, i, 0));
        var conversions = random.Next(0, maxConversions + 1);
        var first = conversions > 0 ? Conversions[random.Next(Conversions.Length)] : null;
        var recent = conversions > 1 ? Conversions[random.Next(Conversions.Length)] : first;
        var lastVisit = now.AddDays(-random.Next(0, 150));
        var properties = new Dictionary<string, string?>
        {
            ["email"] = $"person{i}@{Domains[random.Next(Domains.Length)]}",
            ["firstname"] = $"First{i}",
            ["lastname"] = $"Last{i}",
            ["company"] = $"Company {i % 97}",
            ["jobtitle"] = Titles[random.Next(Titles.Length)],
            ["industry"] = Industries[random.Next(Industries.Length)],
            ["numemployees"] = random.Next(1, 500).ToString(CultureInfo.InvariantCulture),
            ["country"] = Countries[random.Next(Countries.Length)],
            ["hs_analytics_source"] = Sources[random.Next(Sources.Length)],
            ["hs_analytics_num_visits"] = random.Next(0, 12).ToString(CultureInfo.InvariantCulture),
            ["hs_analytics_last_visit_timestamp"] = lastVisit.ToString("O", CultureInfo.InvariantCulture),
            ["hs_email_click"] = random.Next(0, 6).ToString(CultureInfo.InvariantCulture),
            ["hs_social_num_broadcast_clicks"] = random.Next(0, 3).ToString(CultureInfo.InvariantCulture),
            ["num_conversion_events"] = conversions.ToString(CultureInfo.InvariantCulture),
            ["first_conversion_event_name"] = first,
            ["recent_conversion_event_name"] = recent,
            ["lifecyclestage"] = random.Next(4) == 0 ? "lead" : "subscriber",
        };
        if (random.Next(20) == 0)
        {
            properties["hs_lead_status"] = "CONNECTED";
        }

        return properties;
    }

    /// <summary>Adds <paramref name="count"/> contacts to the sandbox; returns their ids.</summary>
    public static List<string> Seed(HubSpotSandbox sandbox, int count, DateTimeOffset now, int seed = 7, int maxConversions = 2)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            ids.Add(sandbox.Contacts.AddContact(Contact(i, now, seed, maxConversions)));
        }

        return ids;
    }

    /// <summary>
    /// Adds <paramref name="count"/> contacts as real portals hold them: every third one has converted 3 to 6 times, each
    /// conversion recorded as HubSpot records it (a new version of <c>recent_conversion_event_name</c>, <c>num_conversion_events</c>
    /// counting up), so only its history holds the conversions between the first and the latest. Sends no webhooks.
    /// </summary>
    public static List<string> SeedWithConversionHistories(HubSpotSandbox sandbox, int count, DateTimeOffset now, int seed = 7)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var id = sandbox.Contacts.AddContact(Contact(i, now, seed));
            if (i % 3 == 0)
            {
                var random = new Random(Seed(seed, i, 1));
                var conversions = random.Next(3, 7);
                for (var n = 1; n <= conversions; n++)
                {
                    var name = Conversions[random.Next(Conversions.Length)];
                    var values = new Dictionary<string, string?>
                    {
                        ["num_conversion_events"] = n.ToString(CultureInfo.InvariantCulture),
                        ["recent_conversion_event_name"] = name,
                    };
                    if (n == 1)
                    {
                        values["first_conversion_event_name"] = name;
                    }

                    var outcome = sandbox.Contacts.Write([new ContactWrite(id, values, null)], ChangeOrigin.Seed, asIntegration: false);
                    if (outcome[0].Status is not (WriteStatus.Changed or WriteStatus.Unchanged))
                    {
                        throw new InvalidOperationException($"Seeding contact {id} failed: {outcome[0].Status}.");
                    }
                }
            }

            ids.Add(id);
        }

        return ids;
    }

    private static int Seed(int seed, int contact, int stream) => unchecked((seed * 1_000_003) + (contact * 31) + stream);
}
