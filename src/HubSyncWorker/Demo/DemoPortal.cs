using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Demo;

/// <summary>Who a generated contact is; drives its profile, its behaviour and where it came from.</summary>
internal enum DemoPersona
{
    /// <summary>In the ICP, engaged to a varying degree and at varying times: leads and MQLs.</summary>
    IcpNurture,

    /// <summary>In the ICP and asked for a demo, a trial, a quote or sales: SQLs.</summary>
    IcpHandRaiser,

    /// <summary>A hand-raiser with a deal or a known budget and timeline: opportunities.</summary>
    IcpProject,

    /// <summary>A won customer; some recommend the product (referrals, NPS): customers and evangelists.</summary>
    Customer,

    /// <summary>Was an MQL months ago and went quiet: recycled.</summary>
    ColdMql,

    /// <summary>A student, intern or job seeker with a free-mail address, often very active: leads, never MQLs.</summary>
    Student,

    /// <summary>Outside the ICP (small company, other industry, other country, free mail): leads or contacts.</summary>
    OutsideIcp,

    /// <summary>Someone at a competitor's domain: disqualified.</summary>
    Competitor,

    /// <summary>An address that bounced hard: disqualified.</summary>
    BadAddress,

    /// <summary>Unsubscribed or bouncing, otherwise in the ICP: engagement points removed.</summary>
    OptedOut,

    /// <summary>Typed in by hand (a business card, an import), no engagement: contacts.</summary>
    TypedIn,

    /// <summary>
    /// The bulk of a real portal, from the sandbox's realistic generator: about a third with 3 to 6 conversions in their history,
    /// many values unset.
    /// </summary>
    Crowd,
}

/// <summary>
/// One generated contact: its persona, the properties it is created with, how many deals it has, and the later sets of values it
/// received before the demo starts (each conversion after the first), oldest first.
/// </summary>
internal sealed record DemoContact(DemoPersona Persona, IReadOnlyDictionary<string, string?> Properties, int Deals, IReadOnlyList<IReadOnlyDictionary<string, string?>>? LaterValues = null);

/// <summary>
/// A deterministic generator of a realistic portal (same seed, same size, same day: same contacts): personas in and out of the ICP,
/// every signal of the default policy, original sources of different quality, and dates spread over the past year so decay and
/// recycling show.
/// </summary>
[SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "The demo wants the same portal for the same seed: a seeded generator, not a secure one.")]
internal sealed class DemoPortal
{
    /// <summary>Custom properties a real portal would have created for the policy (HubSpot has no budget or referral count of its own).</summary>
    public static readonly IReadOnlyList<(string Name, string Label, string Type, string Group)> CustomProperties =
    [
        ("hs_email_last_click_date", "Last marketing email click date", "datetime", "emailinformation"),
        ("budget", "Budget", "number", "sales_properties"),
        ("project_timeline_months", "Project timeline (months)", "number", "sales_properties"),
        ("referral_count", "Referrals", "number", "sales_properties"),
        ("nps_score", "NPS score", "number", "sales_properties"),
    ];

    internal static readonly string[] FreeMailDomains = ["gmail.com", "yahoo.fr", "hotmail.com", "outlook.fr", "orange.fr", "icloud.com"];
    internal static readonly string[] CompetitorDomains = ["competitor.example", "rival.example"];
    internal static readonly string[] TargetIndustries = ["COMPUTER_SOFTWARE", "INFORMATION_TECHNOLOGY_AND_SERVICES", "INTERNET", "MARKETING_AND_ADVERTISING", "FINANCIAL_SERVICES", "MANAGEMENT_CONSULTING"];
    internal static readonly string[] OtherIndustries = ["RESTAURANTS", "RETAIL", "CONSTRUCTION", "HOSPITAL_HEALTH_CARE", "EDUCATION_MANAGEMENT", "NONPROFIT_ORGANIZATION_MANAGEMENT"];
    internal static readonly string[] TargetCountries = ["France", "Belgium", "Switzerland", "Canada", "United Kingdom", "Germany"];
    internal static readonly string[] OtherCountries = ["Brazil", "India", "United States", "Spain", "Morocco"];
    internal static readonly string[] SeniorTitles = ["VP Marketing", "Head of Growth", "Marketing Director", "CMO", "Founder", "Sales Manager", "Directeur commercial", "Responsable marketing", "Chief Revenue Officer", "Head of Demand Generation"];
    internal static readonly string[] JuniorTitles = ["Marketing Assistant", "Sales Representative", "Content Writer", "Account Executive", "Marketing Specialist", "Business Developer"];
    internal static readonly string[] StudentTitles = ["Student", "Marketing intern", "Étudiant en école de commerce", "Job seeker", "Stagiaire marketing", "Alternante communication"];
    internal static readonly string[] FirstNames = ["Léa", "Hugo", "Camille", "Lucas", "Chloé", "Louis", "Emma", "Gabriel", "Manon", "Arthur", "Sarah", "Jules", "Inès", "Noah", "Alice", "Tom", "Julie", "Nathan", "Clara", "Paul", "Olivia", "Liam", "Sofia", "Ethan", "Mia", "Oscar", "Zoé", "Adam", "Nina", "Victor"];
    internal static readonly string[] LastNames = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Smith", "Müller", "Janssens", "Peeters", "Tremblay", "Roy", "Fischer", "Schmidt", "Brown", "Wilson"];
    internal static readonly string[] CompanyStems = ["Nimbus", "Altair", "Brightwave", "Cobalt", "Datapulse", "Ekko", "Fjord", "Helix", "Ionic", "Kestrel", "Lumen", "Mosaic", "Nordlys", "Orbit", "Parallax", "Quartzite", "Riviera", "Sextant", "Tessera", "Umbra", "Vireo", "Wavelet", "Zephyr"];
    internal static readonly string[] CompanySuffixes = ["Software", "Labs", "Consulting", "Analytics", "Systems", "Media", "Partners", "Cloud"];

    /// <summary>Conversion (form) names, by the signal they carry in the default policy.</summary>
    internal static readonly string[] Newsletters = ["Newsletter signup"];
    internal static readonly string[] Content = ["Ebook: The B2B lead scoring guide", "Whitepaper: Marketing automation ROI", "Case study: how Helix cut its CAC by 30%", "Livre blanc : le guide du MQL"];
    internal static readonly string[] Videos = ["Webinar replay: MQL vs SQL", "Product video tour"];
    internal static readonly string[] HandRaisers = ["Request a demo", "Free trial signup", "Request a quote", "Contact sales"];
    internal static readonly string[] OtherForms = ["Event registration", "Pricing page: talk to us", "ROI calculator"];

    // Persona shares of the portal; whatever rounding leaves goes to IcpNurture.
    private static readonly (DemoPersona Persona, double Share)[] Mix =
    [
        (DemoPersona.IcpHandRaiser, 0.09), (DemoPersona.IcpProject, 0.05), (DemoPersona.Customer, 0.05), (DemoPersona.ColdMql, 0.06),
        (DemoPersona.Student, 0.07), (DemoPersona.OutsideIcp, 0.09), (DemoPersona.Competitor, 0.03), (DemoPersona.BadAddress, 0.02),
        (DemoPersona.OptedOut, 0.06), (DemoPersona.TypedIn, 0.07), (DemoPersona.Crowd, 0.15),
    ];

    // Original sources (hs_analytics_source) by persona: hand-raisers come from search and referrals, students from social.
    private static readonly Dictionary<DemoPersona, (string Source, int Weight)[]> Sources = new()
    {
        [DemoPersona.IcpNurture] = [("ORGANIC_SEARCH", 30), ("EMAIL_MARKETING", 20), ("SOCIAL_MEDIA", 15), ("PAID_SEARCH", 15), ("REFERRALS", 10), ("PAID_SOCIAL", 10)],
        [DemoPersona.IcpHandRaiser] = [("ORGANIC_SEARCH", 35), ("REFERRALS", 25), ("PAID_SEARCH", 25), ("EMAIL_MARKETING", 10), ("PAID_SOCIAL", 5)],
        [DemoPersona.IcpProject] = [("REFERRALS", 40), ("ORGANIC_SEARCH", 30), ("PAID_SEARCH", 20), ("OFFLINE", 10)],
        [DemoPersona.Customer] = [("REFERRALS", 40), ("ORGANIC_SEARCH", 30), ("OFFLINE", 20), ("PAID_SEARCH", 10)],
        [DemoPersona.ColdMql] = [("EMAIL_MARKETING", 30), ("ORGANIC_SEARCH", 25), ("PAID_SOCIAL", 25), ("SOCIAL_MEDIA", 20)],
        [DemoPersona.Student] = [("SOCIAL_MEDIA", 45), ("PAID_SOCIAL", 35), ("ORGANIC_SEARCH", 20)],
        [DemoPersona.OutsideIcp] = [("PAID_SOCIAL", 35), ("OTHER_CAMPAIGNS", 25), ("SOCIAL_MEDIA", 20), ("ORGANIC_SEARCH", 20)],
        [DemoPersona.Competitor] = [("ORGANIC_SEARCH", 50), ("DIRECT_TRAFFIC", 50)],
        [DemoPersona.BadAddress] = [("OTHER_CAMPAIGNS", 50), ("PAID_SOCIAL", 50)],
        [DemoPersona.OptedOut] = [("EMAIL_MARKETING", 50), ("PAID_SOCIAL", 30), ("ORGANIC_SEARCH", 20)],
        [DemoPersona.TypedIn] = [("OFFLINE", 70), ("DIRECT_TRAFFIC", 30)],
    };

    private readonly Random _random;
    private readonly DateTimeOffset _now;
    private readonly PortalGenerator _crowd;
    private int _serial;
    private int _crowdSerial;

    public DemoPortal(int seed, DateTimeOffset now)
    {
        _random = new Random(seed);
        _now = now;
        _crowd = new PortalGenerator(seed);
    }

    /// <summary>Creates the custom properties the policy reads in <paramref name="catalog"/> (idempotent).</summary>
    public static void AddCustomProperties(PropertyCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var (name, label, type, group) in CustomProperties)
        {
            catalog.TryAdd(new SandboxProperty
            {
                Name = name,
                Label = label,
                Type = type,
                FieldType = type == "number" ? "number" : "date",
                GroupName = group,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }
    }

    /// <summary>Generates <paramref name="count"/> contacts: each persona gets its share (at least one), shuffled.</summary>
    public IReadOnlyList<DemoContact> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, Mix.Length + 1);
        var personas = new List<DemoPersona>(count);
        foreach (var (persona, share) in Mix)
        {
            personas.AddRange(Enumerable.Repeat(persona, Math.Max(1, (int)Math.Round(share * count))));
        }

        personas.AddRange(Enumerable.Repeat(DemoPersona.IcpNurture, Math.Max(0, count - personas.Count)));
        var shuffled = personas.Take(count).ToArray();
        _random.Shuffle(shuffled);
        return [.. shuffled.Select(Create)];
    }

    /// <summary>Seeds the contacts into the sandbox (no webhooks: seeding is an import) and associates their deals.</summary>
    public static IReadOnlyList<string> Seed(HubSpotSandbox sandbox, IReadOnlyList<DemoContact> contacts)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(contacts);
        var ids = sandbox.Contacts.AddContacts([.. contacts.Select(c => new SeedContact(c.Properties, c.LaterValues ?? []))]);
        long dealId = 9_000_000;
        foreach (var (id, contact) in ids.Zip(contacts))
        {
            for (var d = 0; d < contact.Deals; d++)
            {
                sandbox.Contacts.AssociateDeal(id, ++dealId, ChangeOrigin.Seed);
            }
        }

        return ids;
    }

    /// <summary>A new person (not seeded) for the live activity, with a profile of <paramref name="persona"/> and no behaviour yet.</summary>
    public Dictionary<string, string?> NewProfile(DemoPersona persona, string source)
    {
        var properties = Profile(persona);
        properties["hs_analytics_source"] = source;
        properties["createdate"] = Epoch(_now);
        return properties;
    }

    internal static string Epoch(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private DemoContact Create(DemoPersona persona)
    {
        if (persona == DemoPersona.Crowd)
        {
            var imported = _crowd.SeedContact(_crowdSerial++, _now);
            var initial = new Dictionary<string, string?>(imported.Initial, StringComparer.Ordinal)
            {
                ["createdate"] = Epoch(_now.AddDays(-_random.Next(20, 366)).AddMinutes(-_random.Next(0, 1440))),
            };
            return new DemoContact(persona, initial, Deals: 0, imported.LaterValues);
        }

        var properties = Profile(persona);
        properties["hs_analytics_source"] = Pick(Sources[persona]);
        var created = _now.AddDays(-_random.Next(20, 366)).AddMinutes(-_random.Next(0, 1440));
        properties["createdate"] = Epoch(created);
        var deals = 0;
        switch (persona)
        {
            case DemoPersona.IcpNurture:
                Behave(properties, created, conversions: _random.Next(0, 3), handRaiser: false, intensity: _random.NextDouble(), recentDays: RecencyDays());
                if (_random.NextDouble() < 0.06)
                {
                    // Sales already called some of them.
                    properties["hs_lead_status"] = Pick(["CONNECTED", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT"]);
                    properties["lifecyclestage"] = "marketingqualifiedlead";
                }

                break;
            case DemoPersona.IcpHandRaiser:
                Behave(properties, created, conversions: _random.Next(1, 3), handRaiser: true, intensity: _random.NextDouble(), recentDays: _random.Next(0, 45));
                break;
            case DemoPersona.IcpProject:
                Behave(properties, created, conversions: _random.Next(1, 3), handRaiser: true, intensity: 0.5 + (_random.NextDouble() / 2), recentDays: _random.Next(0, 30));
                if (_random.NextDouble() < 0.5)
                {
                    deals = 1;
                }
                else
                {
                    properties["budget"] = Pick(["5000", "8000", "12000", "25000", "60000"]);
                    properties["project_timeline_months"] = Pick(["1", "2", "3"]);
                }

                break;
            case DemoPersona.Customer:
                Behave(properties, created, conversions: _random.Next(1, 3), handRaiser: true, intensity: _random.NextDouble(), recentDays: _random.Next(0, 200));
                properties["lifecyclestage"] = "customer";
                properties["hs_lead_status"] = "CONNECTED";
                deals = _random.Next(1, 3);
                var advocacy = _random.NextDouble();
                if (advocacy < 0.2)
                {
                    properties["referral_count"] = _random.Next(1, 4).ToString(CultureInfo.InvariantCulture);
                }
                else if (advocacy < 0.35)
                {
                    properties["nps_score"] = Pick(["9", "10"]);
                }
                else if (advocacy < 0.6)
                {
                    properties["nps_score"] = Pick(["5", "6", "7", "8"]);
                }

                break;
            case DemoPersona.ColdMql:
                Behave(properties, created, conversions: 2, handRaiser: false, intensity: 0.8, recentDays: _random.Next(120, 300));
                properties["lifecyclestage"] = "marketingqualifiedlead";
                break;
            case DemoPersona.Student:
                Behave(properties, created, conversions: _random.Next(1, 3), handRaiser: _random.NextDouble() < 0.5, intensity: _random.NextDouble(), recentDays: RecencyDays());
                break;
            case DemoPersona.OutsideIcp:
                Behave(properties, created, conversions: _random.Next(0, 3), handRaiser: _random.NextDouble() < 0.2, intensity: _random.NextDouble(), recentDays: RecencyDays());
                break;
            case DemoPersona.Competitor:
                Behave(properties, created, conversions: 2, handRaiser: true, intensity: 1, recentDays: _random.Next(0, 20));
                break;
            case DemoPersona.BadAddress:
                Behave(properties, created, conversions: _random.Next(0, 2), handRaiser: false, intensity: _random.NextDouble() / 2, recentDays: RecencyDays());
                properties["hs_email_bad_address"] = "true";
                properties["hs_email_bounce"] = "1";
                break;
            case DemoPersona.OptedOut:
                Behave(properties, created, conversions: _random.Next(1, 3), handRaiser: false, intensity: _random.NextDouble(), recentDays: RecencyDays());
                if (_random.NextDouble() < 0.7)
                {
                    properties["hs_email_optout"] = "true";
                }
                else
                {
                    properties["hs_email_bounce"] = "1";
                }

                break;
            case DemoPersona.TypedIn:
                properties["lifecyclestage"] = _random.NextDouble() < 0.5 ? "subscriber" : null;
                break;
        }

        return new DemoContact(persona, properties, deals);
    }

    /// <summary>The profile (fit) part: name, company, title, industry, size, country, email domain.</summary>
    private Dictionary<string, string?> Profile(DemoPersona persona)
    {
        var serial = ++_serial;
        var first = Pick(FirstNames);
        var last = Pick(LastNames);
        var company = $"{Pick(CompanyStems)} {Pick(CompanySuffixes)}";
        var companyDomain = company.ToLowerInvariant().Replace(' ', '-') + ".example";
        var inIcp = persona is not (DemoPersona.Student or DemoPersona.OutsideIcp);
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["firstname"] = first,
            ["lastname"] = last,
            ["company"] = company,
        };

        string domain;
        switch (persona)
        {
            case DemoPersona.Student:
                properties["jobtitle"] = Pick(StudentTitles);
                properties["company"] = _random.NextDouble() < 0.5 ? null : company;
                domain = Pick(FreeMailDomains);
                break;
            case DemoPersona.OutsideIcp:
                properties["jobtitle"] = _random.NextDouble() < 0.6 ? Pick(JuniorTitles) : Pick(SeniorTitles);
                properties["industry"] = Pick(OtherIndustries);
                properties["numemployees"] = _random.Next(1, 9).ToString(CultureInfo.InvariantCulture);
                properties["country"] = _random.NextDouble() < 0.6 ? Pick(OtherCountries) : Pick(TargetCountries);
                domain = _random.NextDouble() < 0.6 ? Pick(FreeMailDomains) : companyDomain;
                break;
            case DemoPersona.Competitor:
                properties["jobtitle"] = Pick(SeniorTitles);
                properties["industry"] = TargetIndustries[0];
                properties["numemployees"] = "250";
                properties["country"] = Pick(TargetCountries);
                domain = Pick(CompetitorDomains);
                break;
            default:
                properties["jobtitle"] = _random.NextDouble() < 0.85 ? Pick(SeniorTitles) : Pick(JuniorTitles);
                properties["industry"] = _random.NextDouble() < 0.9 ? Pick(TargetIndustries) : Pick(OtherIndustries);
                properties["numemployees"] = Pick(["12", "25", "50", "120", "200", "450", "1200", "5000"]);
                properties["country"] = _random.NextDouble() < 0.9 ? Pick(TargetCountries) : Pick(OtherCountries);
                domain = inIcp && _random.NextDouble() < 0.95 ? companyDomain : Pick(FreeMailDomains);
                break;
        }

        if (_random.NextDouble() < 0.7)
        {
            properties["phone"] = string.Create(CultureInfo.InvariantCulture, $"+33 1 {_random.Next(10, 99)} {_random.Next(10, 99)} {_random.Next(10, 99)} {_random.Next(10, 99)}");
        }

        var local = $"{Ascii(first)}.{Ascii(last)}{serial}".ToLowerInvariant();
        properties["email"] = $"{local}@{domain}";
        return properties;
    }

    /// <summary>The behaviour (engagement) part: conversions, visits, social and email clicks, at a recency of <paramref name="recentDays"/>.</summary>
    private void Behave(Dictionary<string, string?> properties, DateTimeOffset created, int conversions, bool handRaiser, double intensity, int recentDays)
    {
        var last = _now.AddDays(-recentDays).AddMinutes(-_random.Next(0, 600));
        if (last < created)
        {
            last = created.AddHours(1);
        }

        if (conversions > 0)
        {
            var names = new List<string>();
            var interest = new[] { Newsletters, Content, Videos, OtherForms };
            for (var i = 0; i < conversions; i++)
            {
                names.Add(Pick(interest[Math.Min(interest.Length - 1, (int)(_random.NextDouble() * (1 + (intensity * 3))))]));
            }

            if (handRaiser)
            {
                names[^1] = Pick(HandRaisers);
            }

            properties["num_conversion_events"] = conversions.ToString(CultureInfo.InvariantCulture);
            properties["first_conversion_event_name"] = names[0];
            properties["recent_conversion_event_name"] = names[^1];
            properties["recent_conversion_date"] = Epoch(last);
        }

        var visits = (int)Math.Round(intensity * 12) + _random.Next(0, 3);
        if (visits > 0)
        {
            properties["hs_analytics_num_visits"] = visits.ToString(CultureInfo.InvariantCulture);
            properties["hs_analytics_num_page_views"] = (visits * _random.Next(2, 6)).ToString(CultureInfo.InvariantCulture);
            properties["hs_analytics_last_visit_timestamp"] = Epoch(last);
        }

        if (_random.NextDouble() < intensity * 0.7)
        {
            properties[Pick(["hs_social_linkedin_clicks", "hs_social_twitter_clicks", "hs_social_facebook_clicks", "hs_social_num_broadcast_clicks"])] =
                _random.Next(1, 4).ToString(CultureInfo.InvariantCulture);
        }

        var emailClicks = (int)Math.Round(intensity * _random.Next(0, 6));
        properties["hs_email_open"] = (emailClicks + _random.Next(0, 8)).ToString(CultureInfo.InvariantCulture);
        if (emailClicks > 0)
        {
            properties["hs_email_click"] = emailClicks.ToString(CultureInfo.InvariantCulture);
            properties["hs_email_last_click_date"] = Epoch(last.AddHours(-_random.Next(1, 48)));
        }
    }

    /// <summary>Days since the last engagement: a third recent, a third within two months, a third older (decaying).</summary>
    private int RecencyDays() => _random.NextDouble() switch
    {
        < 0.4 => _random.Next(0, 14),
        < 0.7 => _random.Next(14, 60),
        _ => _random.Next(60, 330),
    };

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private string Pick((string Value, int Weight)[] weighted)
    {
        var roll = _random.Next(weighted.Sum(w => w.Weight));
        foreach (var (value, weight) in weighted)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }

        return weighted[^1].Value;
    }

    private static string Ascii(string name) =>
        new([.. name.Normalize(System.Text.NormalizationForm.FormD).Where(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')]);
}
