using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;

namespace HubSyncWorker.Sandbox.Properties;

/// <summary>
/// The portal's contact property definitions and groups, seeded with the built-in properties the worker reads.
/// Definitions are immutable records in concurrent maps, so lookups during writes take no lock.
/// </summary>
public sealed class PropertyCatalog
{
    /// <summary>HubSpot's default lifecycle stages, in their forward order.</summary>
    public static readonly IReadOnlyList<string> DefaultLifecycleStages =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    /// <summary>The property whose options are the portal's lifecycle stages.</summary>
    public const string LifecycleProperty = "lifecyclestage";

    /// <summary>HubSpot's default lead statuses.</summary>
    public static readonly IReadOnlyList<string> DefaultLeadStatuses =
        ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"];

    private static readonly Dictionary<string, string[]> ValidFieldTypes = new(StringComparer.Ordinal)
    {
        ["bool"] = ["booleancheckbox"],
        ["enumeration"] = ["select", "radio", "checkbox", "booleancheckbox"],
        ["date"] = ["date"],
        ["datetime"] = ["date"],
        ["string"] = ["text", "textarea"],
        ["number"] = ["number"],
    };

    private const string StoredDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const string DateEnteredPrefix = "hs_v2_date_entered_";
    private const string DateExitedPrefix = "hs_v2_date_exited_";
    private const string StageDatesGroup = "contactinformation";

    private readonly ConcurrentDictionary<string, SandboxProperty> _properties = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxPropertyGroup> _groups = new(StringComparer.Ordinal);
    private ImmutableList<SandboxValidationRule> _rules = [];

    internal PropertyCatalog(DateTimeOffset now) => Seed(now);

    /// <summary>Every property, ordered by name.</summary>
    public IReadOnlyList<SandboxProperty> All => [.. _properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>Every group, ordered by name.</summary>
    public IReadOnlyList<SandboxPropertyGroup> Groups => [.. _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal)];

    public SandboxProperty? Find(string name) => _properties.GetValueOrDefault(name);

    public SandboxPropertyGroup? FindGroup(string name) => _groups.GetValueOrDefault(name);

    /// <summary>Adds a property; false when one with that name exists (HubSpot answers 409).</summary>
    public bool TryAdd(SandboxProperty property) => _properties.TryAdd(property.Name, property);

    /// <summary>Adds a group; false when one with that name exists (HubSpot answers 409).</summary>
    public bool TryAddGroup(SandboxPropertyGroup group) => _groups.TryAdd(group.Name, group);

    /// <summary>Deletes a property, as an admin can in HubSpot's settings; false when it does not exist.</summary>
    public bool TryRemove(string name) => _properties.TryRemove(name, out _);

    /// <summary>
    /// Replaces a property definition (PATCH); false when it does not exist. A new <c>lifecyclestage</c> option gains its stage dates
    /// (<see cref="DateEnteredProperty"/>, <see cref="DateExitedProperty"/>), as a custom stage does at HubSpot.
    /// </summary>
    public bool TryReplace(SandboxProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        while (_properties.TryGetValue(property.Name, out var current))
        {
            if (_properties.TryUpdate(property.Name, property, current))
            {
                if (property.Name == LifecycleProperty)
                {
                    AddStageDates(property.Options.Select(o => o.Value), property.UpdatedAt);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>hs_v2_date_entered_&lt;stage&gt;</c>: when the contact last entered the lifecycle stage (internal value). HubSpot-defined, calculated,
    /// read-only; the store sets it whenever <c>lifecyclestage</c> takes that value. A re-entered stage holds its latest entry; a skipped stage stays unset.
    /// </summary>
    public static string DateEnteredProperty(string stage) => DateEnteredPrefix + stage;

    /// <summary><c>hs_v2_date_exited_&lt;stage&gt;</c>: when the contact last left the lifecycle stage (moved to another or had it cleared).</summary>
    public static string DateExitedProperty(string stage) => DateExitedPrefix + stage;

    /// <summary>True for a stage date (<see cref="DateEnteredProperty"/>, <see cref="DateExitedProperty"/>): only the store sets those.</summary>
    public static bool IsStageDate(string name) =>
        name.StartsWith(DateEnteredPrefix, StringComparison.Ordinal) || name.StartsWith(DateExitedPrefix, StringComparison.Ordinal);

    /// <summary>The portal's validation rules, in the order they were added (enforced by API version 2026-09 writes only).</summary>
    public IReadOnlyList<SandboxValidationRule> ValidationRules => Volatile.Read(ref _rules);

    /// <summary>
    /// Makes <paramref name="propertyName"/> required on every 2026-09 write: an input whose contact would end up without a value fails
    /// the batch with <c>MISSING_REQUIRED_PROPERTY</c>. Earlier versions do not enforce rules (HubSpot added them in 2026-09).
    /// </summary>
    public void RequireOnWrite(string propertyName) => AddRule(new SandboxValidationRule(Existing(propertyName)));

    /// <summary>
    /// Makes <paramref name="propertyName"/> required on 2026-09 writes whose contact would end up with <paramref name="whenProperty"/> equal to
    /// <paramref name="whenValue"/> (e.g. a company once the stage is <c>customer</c>): <c>MISSING_CONDITIONAL_REQUIRED_PROPERTY</c> otherwise.
    /// </summary>
    public void RequireOnWriteWhen(string propertyName, string whenProperty, string whenValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(whenValue);
        AddRule(new SandboxValidationRule(Existing(propertyName), Existing(whenProperty), whenValue));
    }

    /// <summary>Removes every validation rule.</summary>
    public void ClearValidationRules() => Volatile.Write(ref _rules, []);

    /// <summary>Checks the type/fieldType pair and options of a definition; null when valid, else the reason.</summary>

    internal static string? ValidateDefinition(string type, string fieldType, IReadOnlyList<SandboxPropertyOption> options)
    {
        if (!ValidFieldTypes.TryGetValue(type, out var fieldTypes))
        {
            return $"type '{type}' is not one of {string.Join(", ", ValidFieldTypes.Keys)}";
        }

        if (!fieldTypes.Contains(fieldType, StringComparer.Ordinal))
        {
            return $"fieldType '{fieldType}' is not valid for type '{type}' (valid: {string.Join(", ", fieldTypes)})";
        }

        if (type == "enumeration" && options.Count == 0)
        {
            return "an enumeration property needs at least one option";
        }

        var duplicate = options.GroupBy(o => o.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? null : $"option value '{duplicate.Key}' appears more than once";
    }

    /// <summary>
    /// Validates and normalises a value written through the API (an empty string clears and is always valid).
    /// datetime values are stored as ISO-8601 UTC with milliseconds (how HubSpot returns them) whatever the input form;
    /// date values as <c>yyyy-MM-dd</c> (midnight UTC).
    /// </summary>
    internal static bool TryNormalize(SandboxProperty property, string raw, out string normalized, out string? error)
    {
        normalized = raw;
        error = null;
        if (raw.Length == 0)
        {
            return true;
        }

        switch (property.Type)
        {
            case "number":
                if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    return true;
                }

                error = $"{raw} was not a valid number.";
                return false;
            case "bool":
                if (bool.TryParse(raw, out var flag))
                {
                    normalized = flag ? "true" : "false";
                    return true;
                }

                error = $"{raw} was not a valid boolean (true or false).";
                return false;
            case "datetime":
                if (TryParseInstant(raw, out var instant))
                {
                    normalized = FormatDateTime(instant);
                    return true;
                }

                error = $"{raw} was not a valid datetime (epoch milliseconds or ISO 8601).";
                return false;
            case "date":
                if (TryParseInstant(raw, out var day) && day.TimeOfDay == TimeSpan.Zero)
                {
                    normalized = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    return true;
                }

                error = $"{raw} is at {raw} which isn't midnight UTC; date values must be midnight UTC.";
                return false;
            case "enumeration":
                var values = property.FieldType == "checkbox" ? raw.Split(';') : [raw];
                foreach (var value in values)
                {
                    if (!property.Options.Any(o => string.Equals(o.Value, value, StringComparison.Ordinal)))
                    {
                        error = $"{value} was not one of the allowed options: [{string.Join(", ", property.Options.Select(o => o.Value))}]";
                        return false;
                    }
                }

                return true;
            default:
                if (raw.Length <= 65_536)
                {
                    return true;
                }

                error = "A string property holds at most 65,536 characters.";
                return false;
        }
    }

    /// <summary>
    /// The numeric reading of a stored value used by search comparisons and sorts: epoch ms for date/datetime,
    /// the number itself for anything that parses as one; null otherwise.
    /// </summary>
    internal static double? NumericValue(SandboxProperty? property, string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (property?.Type is "datetime" or "date")
        {
            return TryParseInstant(value, out var instant) ? instant.ToUnixTimeMilliseconds() : null;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    internal static string FormatDateTime(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(StoredDateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads epoch milliseconds or ISO 8601 (date-only included) as a UTC instant.</summary>
    internal static bool TryParseInstant(string raw, out DateTimeOffset instant)
    {
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epochMs))
        {
            try
            {
                instant = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                instant = default;
                return false;
            }
        }

        // The stored form first: seeding 100,000 contacts reads it millions of times, and the general parser is several times slower.
        if (raw.Length == "2026-01-01T00:00:00.000Z".Length
            && DateTimeOffset.TryParseExact(raw, StoredDateTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
        {
            return true;
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    /// <summary>The stage dates of each stage that has none yet (a removed stage keeps its dates: contacts may still hold them).</summary>
    private void AddStageDates(IEnumerable<string> stages, DateTimeOffset now)
    {
        foreach (var stage in stages)
        {
            foreach (var (name, label) in new[] { (DateEnteredProperty(stage), "Date entered"), (DateExitedProperty(stage), "Date exited") })
            {
                _properties.TryAdd(name, new SandboxProperty
                {
                    Name = name,
                    Label = $"{label} '{Labelize(stage)} (Lifecycle Stage Pipeline)'",
                    Type = "datetime",
                    FieldType = "date",
                    GroupName = StageDatesGroup,
                    Description = label == "Date entered"
                        ? "The date and time when the contact last entered this lifecycle stage. Set by HubSpot; read only."
                        : "The date and time when the contact last left this lifecycle stage. Set by HubSpot; read only.",
                    HubspotDefined = true,
                    ReadOnlyValue = true,
                    Calculated = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
        }
    }

    private void AddRule(SandboxValidationRule rule) => ImmutableInterlocked.Update(ref _rules, rules => rules.Add(rule));

    private string Existing(string propertyName) =>
        Find(propertyName) is not null ? propertyName : throw new ArgumentException($"Property '{propertyName}' does not exist.", nameof(propertyName));

    private void Seed(DateTimeOffset now)
    {
        foreach (var (name, label) in new[]
                 {
                     ("contactinformation", "Contact information"), ("analyticsinformation", "Web analytics history"),
                     ("emailinformation", "Email information"), ("conversioninformation", "Conversion information"),
                     ("sales_properties", "Sales properties"), ("deal_information", "Deal information"),
                     ("social_media_information", "Social media information"),
                 })
        {
            _groups[name] = new SandboxPropertyGroup(name, label, -1);
        }

        void Add(string name, string label, string type, string group, bool readOnly = false, IReadOnlyList<string>? options = null)
        {
            var fieldType = type switch
            {
                "enumeration" => "select",
                "bool" => "booleancheckbox",
                "number" => "number",
                "date" or "datetime" => "date",
                _ => "text",
            };
            _properties[name] = new SandboxProperty
            {
                Name = name,
                Label = label,
                Type = type,
                FieldType = fieldType,
                GroupName = group,
                Options = options is null ? [] : [.. options.Select((v, i) => new SandboxPropertyOption(Labelize(v), v, i))],
                HubspotDefined = true,
                ReadOnlyValue = readOnly,
                Calculated = readOnly,
                CreatedAt = now,
                UpdatedAt = now,
            };
        }

        const string Contact = "contactinformation";
        Add("hs_object_id", "Record ID", "number", Contact, readOnly: true);
        Add("createdate", "Create Date", "datetime", Contact);
        Add("lastmodifieddate", "Last Modified Date", "datetime", Contact, readOnly: true);
        Add("email", "Email", "string", Contact);
        Add("firstname", "First Name", "string", Contact);
        Add("lastname", "Last Name", "string", Contact);
        Add("phone", "Phone Number", "string", Contact);
        Add("company", "Company Name", "string", Contact);
        Add("jobtitle", "Job Title", "string", Contact);
        Add("industry", "Industry", "string", Contact);
        Add("numemployees", "Number of Employees", "number", Contact);
        Add("annualrevenue", "Annual Revenue", "number", Contact);
        Add("country", "Country/Region", "string", Contact);
        Add(LifecycleProperty, "Lifecycle Stage", "enumeration", Contact, options: DefaultLifecycleStages);
        AddStageDates(DefaultLifecycleStages, now);
        Add("hs_lead_status", "Lead Status", "enumeration", "sales_properties", options: DefaultLeadStatuses);
        Add("notes_last_contacted", "Last Contacted", "datetime", "sales_properties", readOnly: true);

        const string Analytics = "analyticsinformation";
        Add("hs_analytics_source", "Original Source", "enumeration", Analytics, options:
            ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL"]);
        Add("hs_analytics_num_visits", "Number of Sessions", "number", Analytics);
        Add("hs_analytics_num_page_views", "Number of Pageviews", "number", Analytics);
        Add("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime", Analytics);

        const string Conversion = "conversioninformation";
        Add("num_conversion_events", "Number of Form Submissions", "number", Conversion);
        Add("first_conversion_event_name", "First Conversion", "string", Conversion);
        Add("recent_conversion_event_name", "Recent Conversion", "string", Conversion);
        Add("recent_conversion_date", "Recent Conversion Date", "datetime", Conversion);

        const string Email = "emailinformation";
        Add("hs_email_open", "Marketing emails opened", "number", Email);
        Add("hs_email_click", "Marketing emails clicked", "number", Email);
        Add("hs_email_replied", "Marketing emails replied", "number", Email);
        Add("hs_email_optout", "Unsubscribed from all email", "bool", Email);
        Add("hs_email_bounce", "Marketing emails bounced", "number", Email);
        Add("hs_email_bad_address", "Invalid email address", "bool", Email);

        const string Social = "social_media_information";
        Add("hs_social_num_broadcast_clicks", "Broadcast Clicks", "number", Social);
        Add("hs_social_linkedin_clicks", "LinkedIn Clicks", "number", Social);
        Add("hs_social_twitter_clicks", "Twitter Clicks", "number", Social);
        Add("hs_social_facebook_clicks", "Facebook Clicks", "number", Social);

        const string Deal = "deal_information";
        Add("num_associated_deals", "Number of Associated Deals", "number", Deal, readOnly: true);
        Add("recent_deal_close_date", "Recent Deal Close Date", "date", Deal);
        Add("total_revenue", "Total Revenue", "number", Deal);
    }

    private static string Labelize(string value) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(value.Replace('_', ' ').ToLowerInvariant());
}
