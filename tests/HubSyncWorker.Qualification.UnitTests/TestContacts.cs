using System.Globalization;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Builds contact snapshots the way HubSpot returns them (every value a string).</summary>
internal sealed class ContactBuilder
{
    private readonly Dictionary<string, string?> _properties = new(StringComparer.Ordinal);
    private readonly List<string> _conversions = [];
    private int? _deals;

    public static DateTimeOffset Now { get; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static QualificationPolicy DefaultPolicy { get; } = QualificationPolicy.CompileDefault();

    /// <summary>A VP of Marketing at a 200-person software company in France with a business email and a complete profile (fit 100).</summary>
    public static ContactBuilder IcpProfile() => new ContactBuilder()
        .With("firstname", "Claire").With("lastname", "Martin").With("company", "Acme")
        .With("jobtitle", "VP of Marketing").With("industry", "COMPUTER_SOFTWARE").With("numemployees", "200")
        .With("country", "France").With("email", "claire.martin@acme.example");

    /// <summary>Example 1's behaviour: newsletter, 4 visits, a LinkedIn click, active yesterday.</summary>
    public static ContactBuilder IcpMql() => IcpProfile()
        .Converted("Newsletter subscription")
        .With("hs_analytics_num_visits", "4").With("hs_social_linkedin_clicks", "1")
        .With("hs_analytics_source", "ORGANIC_SEARCH")
        .LastVisit(Now.AddDays(-1));

    public ContactBuilder With(string property, string? value)
    {
        _properties[property] = value;
        return this;
    }

    public ContactBuilder Without(string property)
    {
        _properties.Remove(property);
        return this;
    }

    public ContactBuilder Stage(string stage) => With("lifecyclestage", stage);

    public ContactBuilder LeadStatus(string status) => With("hs_lead_status", status);

    public ContactBuilder LastVisit(DateTimeOffset when) =>
        With("hs_analytics_last_visit_timestamp", when.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>Adds conversions (history and <c>num_conversion_events</c>), oldest first.</summary>
    public ContactBuilder Converted(params string[] names)
    {
        _conversions.AddRange(names);
        return With("num_conversion_events", _conversions.Count.ToString(CultureInfo.InvariantCulture));
    }

    public ContactBuilder Deals(int count)
    {
        _deals = count;
        return this;
    }

    public ContactSnapshot Build(string id = "101") => new(id, new Dictionary<string, string?>(_properties, StringComparer.Ordinal), [.. _conversions], _deals);

    /// <summary>The contact as HubSpot would hold it after the plan was written.</summary>
    public static ContactSnapshot Apply(ContactSnapshot contact, WriteBackPlan plan)
    {
        var properties = new Dictionary<string, string?>(contact.Properties, StringComparer.Ordinal);
        foreach (var (name, value) in plan.Changes)
        {
            properties[name] = value.Length == 0 ? null : value;
        }

        return contact with { Properties = properties };
    }
}
