using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.Sandbox.Portal;

/// <summary>The contacts one <see cref="PortalGenerator.Edit"/> changed: all of them, and those of them that converted once more.</summary>
/// <param name="Changed">Every contact the edit changed, in id order.</param>
/// <param name="Converted">The changed contacts that gained a conversion (their <c>num_conversion_events</c> moved).</param>
public sealed record PortalEdit(IReadOnlyList<string> Changed, IReadOnlyList<string> Converted);

/// <summary>
/// A deterministic generator of a portal as HubSpot holds it (same seed, same index, same day: same contact), for the demo, the tests
/// and the benchmarks. Its distributions are those of real portals:
/// <list type="bullet">
/// <item>about a third of the contacts converted 3 to 6 times, the rest 0 to 2 times; every conversion is recorded as HubSpot records it
/// (a new version of <c>recent_conversion_event_name</c>, <c>num_conversion_events</c> counting up, <c>first_conversion_event_name</c>
/// set on the first), so the conversions between the first and the latest are only in the history;</item>
/// <item>unset properties stay unset (HubSpot answers them <c>null</c>): a share of contacts has no job title, industry, size,
/// country, phone or company;</item>
/// <item><see cref="Edit"/> changes about 10 % of the contacts as people do between two resyncs: about half convert once more, the
/// others change a value the default policy reads.</item>
/// </list>
/// Each contact draws from its own seeded generator (never <see cref="HashCode"/>, which is randomised per process), so a contact does not
/// depend on how many came before it.
/// </summary>
[SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "A portal must be the same for the same seed: a seeded generator, not a secure one.")]
public sealed partial class PortalGenerator
{
    /// <summary>Conversion (form) names, each carrying a signal of the default policy.</summary>
    public static IReadOnlyList<string> ConversionNames { get; } =
        ["Newsletter signup", "Ebook: lead scoring", "Whitepaper: marketing automation ROI", "Webinar replay", "Product video tour",
         "Pricing page form", "Event registration", "Contact us", "Request a demo", "Free trial"];

    private static readonly string[] Titles = ["VP Marketing", "Head of Sales", "Marketing Manager", "Founder", "Developer", "Student", "Intern", "Analyst", "CTO", "Assistant", "Account Executive", "Marketing Director"];
    private static readonly string[] Industries = ["COMPUTER_SOFTWARE", "INTERNET", "MARKETING_AND_ADVERTISING", "FINANCIAL_SERVICES", "RETAIL", "CONSTRUCTION", "HOSPITAL_HEALTH_CARE"];
    private static readonly string[] Domains = ["acme.io", "globex.com", "initech.fr", "umbrella.de", "gmail.com", "yahoo.fr", "hotmail.com", "competitor.example"];
    private static readonly string[] Countries = ["France", "Germany", "United Kingdom", "Belgium", "Brazil", "Japan", "United States"];
    private static readonly string[] Sources = ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "DIRECT_TRAFFIC", "OFFLINE"];

    private readonly int _seed;

    /// <summary>A generator for the portal of <paramref name="seed"/>.</summary>
    /// <param name="seed">The portal's seed: the same seed gives the same contacts.</param>
    /// <param name="shareWithManyConversions">The share of contacts with 3 to 6 conversions (default a third, as in real portals; 0 for none).</param>
    public PortalGenerator(int seed = 7, double shareWithManyConversions = 1.0 / 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shareWithManyConversions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shareWithManyConversions, 1);
        _seed = seed;
        ShareWithManyConversions = shareWithManyConversions;
    }

    /// <summary>The share of contacts with 3 to 6 conversions.</summary>
    public double ShareWithManyConversions { get; }

    /// <summary>
    /// The current values of contact number <paramref name="index"/> (unset properties absent), as <see cref="Seed"/> leaves them;
    /// relative dates count back from <paramref name="now"/>.
    /// </summary>
    public Dictionary<string, string?> Contact(int index, DateTimeOffset now)
    {
        var conversions = Conversions(index);
        var properties = Profile(index, now);
        if (conversions.Count > 0)
        {
            properties["num_conversion_events"] = conversions.Count.ToString(CultureInfo.InvariantCulture);
            properties["first_conversion_event_name"] = conversions[0];
            properties["recent_conversion_event_name"] = conversions[^1];
            properties["recent_conversion_date"] = Iso(ConversionDate(index, conversions.Count, conversions.Count, now));
        }

        return properties;
    }

    /// <summary>
    /// Contact number <paramref name="index"/> as an import: created with its profile and first conversion, then one set of values per
    /// later conversion (what <see cref="Seed"/> imports).
    /// </summary>
    public SeedContact SeedContact(int index, DateTimeOffset now)
    {
        var conversions = Conversions(index);
        var initial = Profile(index, now);
        var later = new List<IReadOnlyDictionary<string, string?>>(Math.Max(0, conversions.Count - 1));
        for (var n = 0; n < conversions.Count; n++)
        {
            var values = ConversionValues(n + 1, conversions[n], ConversionDate(index, n + 1, conversions.Count, now));
            if (n == 0)
            {
                foreach (var (name, value) in values)
                {
                    initial[name] = value;
                }
            }
            else
            {
                later.Add(values);
            }
        }

        return new SeedContact(initial, later);
    }

    /// <summary>The conversions of contact number <paramref name="index"/>, oldest first (empty when it never converted).</summary>
    public IReadOnlyList<string> Conversions(int index)
    {
        var random = new Random(StreamSeed(index, 1));
        var count = random.NextDouble() < ShareWithManyConversions
            ? random.Next(3, 7)
            : random.NextDouble() switch { < 0.45 => 0, < 0.75 => 1, _ => 2 };
        var names = new string[count];
        for (var n = 0; n < count; n++)
        {
            // Each conversion differs from the one before, so each is a new version of recent_conversion_event_name.
            names[n] = Different(random, ConversionNames, n > 0 ? names[n - 1] : null);
        }

        return names;
    }

    /// <summary>
    /// Adds <paramref name="count"/> contacts (numbers 0 to count − 1) to <paramref name="store"/> and returns their ids. Each is created
    /// with its first conversion; every later one is a new version of the conversion properties. Sends no webhooks (an import).
    /// </summary>
    public List<string> Seed(SandboxContactStore store, int count, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var contacts = new List<SeedContact>(count);
        for (var i = 0; i < count; i++)
        {
            contacts.Add(SeedContact(i, now));
        }

        return store.AddContacts(contacts);
    }

    /// <summary>
    /// Changes about 10 % of <paramref name="ids"/> as people would between two resyncs: about half convert once more (a new version of the
    /// conversion properties, <c>num_conversion_events</c> + 1), the others change a value the default policy reads (job title, company
    /// size, visits). <paramref name="round"/> picks a different 10 % each time. Sends webhooks only when <paramref name="sendWebhooks"/>.
    /// </summary>
    public PortalEdit Edit(SandboxContactStore store, IReadOnlyList<string> ids, DateTimeOffset now, int round = 1, bool sendWebhooks = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        var changed = new List<string>();
        var converted = new List<string>();
        var writes = new List<ContactWrite>();
        for (var i = 0; i < ids.Count; i++)
        {
            var random = new Random(StreamSeed(i, 100 + round));
            if (random.NextDouble() >= 0.1 || store.GetContact(ids[i]) is not { Archived: false } contact)
            {
                continue;
            }

            Dictionary<string, string?> values;
            if (random.NextDouble() < 0.5)
            {
                var count = int.Parse(contact.Properties.GetValueOrDefault("num_conversion_events") ?? "0", CultureInfo.InvariantCulture) + 1;
                values = ConversionValues(count, Different(random, ConversionNames, contact.Properties.GetValueOrDefault("recent_conversion_event_name")), now);
                converted.Add(ids[i]);
            }
            else
            {
                values = random.Next(3) switch
                {
                    0 => new Dictionary<string, string?> { ["jobtitle"] = Different(random, Titles, contact.Properties.GetValueOrDefault("jobtitle")) },
                    1 => new Dictionary<string, string?> { ["numemployees"] = random.Next(1, 2_000).ToString(CultureInfo.InvariantCulture) },
                    _ => new Dictionary<string, string?>
                    {
                        ["hs_analytics_num_visits"] = (int.Parse(contact.Properties.GetValueOrDefault("hs_analytics_num_visits") ?? "0", CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture),
                        ["hs_analytics_last_visit_timestamp"] = Iso(now),
                    },
                };
            }

            changed.Add(ids[i]);
            writes.Add(new ContactWrite(ids[i], values, null));
        }

        var origin = new ChangeOrigin("CRM_UI", "userId:1", sendWebhooks);
        foreach (var outcome in store.Write(writes, origin, asIntegration: false))
        {
            if (outcome.Status is not (WriteStatus.Changed or WriteStatus.Unchanged))
            {
                throw new InvalidOperationException($"Editing contact {outcome.Input.Id} failed: {outcome.Status}.");
            }
        }

        return new PortalEdit(changed, converted);
    }

    /// <summary>When conversion <paramref name="number"/> of <paramref name="count"/> happened: spread from up to a year ago to now, oldest first.</summary>
    private DateTimeOffset ConversionDate(int index, int number, int count, DateTimeOffset now)
    {
        var random = new Random(StreamSeed(index, 2));
        var lastDaysAgo = RecencyDays(random);
        var firstDaysAgo = lastDaysAgo + random.Next(0, 300);
        var daysAgo = count == 1 ? lastDaysAgo : firstDaysAgo - ((firstDaysAgo - lastDaysAgo) * (number - 1) / (count - 1));
        return now.AddDays(-daysAgo).AddMinutes(-random.Next(0, 1440));
    }

    private static Dictionary<string, string?> ConversionValues(int count, string name, DateTimeOffset at)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["num_conversion_events"] = count.ToString(CultureInfo.InvariantCulture),
            ["recent_conversion_event_name"] = name,
            ["recent_conversion_date"] = Iso(at),
        };
        if (count == 1)
        {
            values["first_conversion_event_name"] = name;
        }

        return values;
    }

    /// <summary>The profile and engagement of a contact, without its conversions; unset values are left out.</summary>
    private Dictionary<string, string?> Profile(int index, DateTimeOffset now)
    {
        var random = new Random(StreamSeed(index, 0));
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["email"] = string.Create(CultureInfo.InvariantCulture, $"person{index}@{Domains[random.Next(Domains.Length)]}"),
            ["lastname"] = string.Create(CultureInfo.InvariantCulture, $"Last{index}"),
            ["hs_analytics_source"] = Sources[random.Next(Sources.Length)],
            ["lifecyclestage"] = random.Next(4) == 0 ? "lead" : "subscriber",
        };

        // Shares of unset values as portals fed by short forms and imports show them.
        SetSometimes(properties, random, "firstname", 0.92, () => string.Create(CultureInfo.InvariantCulture, $"First{index}"));
        SetSometimes(properties, random, "company", 0.80, () => string.Create(CultureInfo.InvariantCulture, $"Company {index % 97}"));
        SetSometimes(properties, random, "jobtitle", 0.65, () => Titles[random.Next(Titles.Length)]);
        SetSometimes(properties, random, "industry", 0.55, () => Industries[random.Next(Industries.Length)]);
        SetSometimes(properties, random, "numemployees", 0.50, () => random.Next(1, 2_000).ToString(CultureInfo.InvariantCulture));
        SetSometimes(properties, random, "country", 0.75, () => Countries[random.Next(Countries.Length)]);
        SetSometimes(properties, random, "phone", 0.30, () => string.Create(CultureInfo.InvariantCulture, $"+33 1 {random.Next(10_000_000, 99_999_999)}"));
        var visits = random.Next(0, 15);
        if (visits > 0)
        {
            properties["hs_analytics_num_visits"] = visits.ToString(CultureInfo.InvariantCulture);
            properties["hs_analytics_last_visit_timestamp"] = Iso(now.AddDays(-RecencyDays(random)).AddMinutes(-random.Next(0, 1440)));
        }

        SetSometimes(properties, random, "hs_email_click", 0.40, () => random.Next(1, 6).ToString(CultureInfo.InvariantCulture));
        SetSometimes(properties, random, "hs_social_num_broadcast_clicks", 0.15, () => random.Next(1, 3).ToString(CultureInfo.InvariantCulture));
        if (random.Next(20) == 0)
        {
            properties["hs_lead_status"] = "CONNECTED";
        }

        return properties;
    }

    /// <summary>Days since a last engagement: 40 % within two weeks, 30 % within two months, the rest older (decaying).</summary>
    private static int RecencyDays(Random random) => random.NextDouble() switch
    {
        < 0.4 => random.Next(0, 14),
        < 0.7 => random.Next(14, 60),
        _ => random.Next(60, 330),
    };

    private static void SetSometimes(Dictionary<string, string?> properties, Random random, string name, double share, Func<string> value)
    {
        // One draw whether or not the value is set, so a share changed for one property leaves the others' values as they were.
        var roll = random.NextDouble();
        var candidate = value();
        if (roll < share)
        {
            properties[name] = candidate;
        }
    }

    private static string Different(Random random, IReadOnlyList<string> values, string? current)
    {
        var index = random.Next(values.Count);
        return values[index] == current ? values[(index + 1) % values.Count] : values[index];
    }

    /// <summary>A datetime value in the form HubSpot answers it (ISO 8601 UTC with milliseconds), so generated and stored values compare equal.</summary>
    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A seed per contact and purpose, mixed (a MurmurHash3 finaliser) because <see cref="Random"/> seeded with near values starts with
    /// near values, which would bias the first draw of every contact.
    /// </summary>
    private int StreamSeed(int contact, int stream)
    {
        var x = unchecked(((ulong)(uint)_seed << 32) ^ ((ulong)(uint)contact * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)stream * 0xC2B2AE3D27D4EB4FUL));
        x ^= x >> 33;
        x = unchecked(x * 0xFF51AFD7ED558CCDUL);
        x ^= x >> 33;
        x = unchecked(x * 0xC4CEB9FE1A85EC53UL);
        x ^= x >> 33;
        return (int)(x & int.MaxValue);
    }
}
