using System.Text.Json;
using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification;

/// <summary>One entry of a HubSpot <c>propertiesWithHistory</c> list: <c>{"value","timestamp"}</c> (other fields ignored).</summary>
public sealed record PropertyHistoryEntry(string? Value, string? Timestamp);

/// <summary>
/// What the policy sees of a contact: its current property values (every HubSpot value is a string or null) and the
/// names of all its conversions, oldest first (from the history of <c>recent_conversion_event_name</c>).
/// </summary>
/// <param name="Id">The HubSpot record id.</param>
/// <param name="Properties">Current values by internal property name (ordinal, case-sensitive, as HubSpot returns them).</param>
/// <param name="ConversionNames">Conversion names, oldest first; empty when the history was not read.</param>
/// <param name="AssociatedDealCount">Deals from the associations, when read; the larger of this and <c>num_associated_deals</c> counts.</param>
public sealed record ContactSnapshot(
    string Id,
    IReadOnlyDictionary<string, string?> Properties,
    IReadOnlyList<string> ConversionNames,
    int? AssociatedDealCount = null)
{
    /// <summary>The property HubSpot keeps every conversion name in (its history).</summary>
    public const string ConversionHistoryProperty = "recent_conversion_event_name";

    /// <summary>The current value of a property, or null.</summary>
    public string? Get(string property) => Properties.TryGetValue(property, out var value) ? value : null;

    /// <summary>Builds a snapshot from the raw HubSpot record shape.</summary>
    /// <param name="id">The record id.</param>
    /// <param name="properties">The record's <c>properties</c>.</param>
    /// <param name="propertiesWithHistory">The record's <c>propertiesWithHistory</c>, or null when not requested.</param>
    /// <param name="associatedDealCount">Number of associated deals, when associations were read.</param>
    public static ContactSnapshot FromHubSpot(
        string id,
        IEnumerable<KeyValuePair<string, string?>> properties,
        IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryEntry>>? propertiesWithHistory = null,
        int? associatedDealCount = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(properties);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            values[name] = value;
        }

        IReadOnlyList<string> names = [];
        if (propertiesWithHistory is not null && propertiesWithHistory.TryGetValue(ConversionHistoryProperty, out var history))
        {
            names = ConversionNamesFromHistory(history);
        }

        return new ContactSnapshot(id, values, names, associatedDealCount);
    }

    /// <summary>
    /// Conversion names from the history entries of <c>recent_conversion_event_name</c>, oldest first
    /// (HubSpot returns newest first; entries with no value are skipped; equal timestamps keep HubSpot's order reversed).
    /// </summary>
    public static IReadOnlyList<string> ConversionNamesFromHistory(IEnumerable<PropertyHistoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<(DateTimeOffset When, int Index, string Name)>();
        var index = 0;
        foreach (var entry in entries)
        {
            index++;
            if (string.IsNullOrWhiteSpace(entry.Value))
            {
                continue;
            }

            var when = HubSpotValues.ParseDateTime(entry.Timestamp) ?? DateTimeOffset.MinValue;
            list.Add((when, -index, entry.Value));
        }

        list.Sort(static (a, b) => a.When != b.When ? a.When.CompareTo(b.When) : a.Index.CompareTo(b.Index));
        var names = new string[list.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = list[i].Name;
        }

        return names;
    }

    /// <summary>
    /// Builds a snapshot from one HubSpot record as JSON: <c>{"id","properties":{...},"propertiesWithHistory":{...},"associations":{"deals":{"results":[...]}}}</c>.
    /// </summary>
    /// <exception cref="FormatException">The element is not a record with an id.</exception>
    public static ContactSnapshot FromHubSpotJson(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A contact must be a JSON object, not {record.ValueKind}.");
        }

        if (!record.TryGetProperty("id", out var idElement) || idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            throw new FormatException("A contact has no \"id\".");
        }

        var id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText();
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (record.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in props.EnumerateObject())
            {
                properties[property.Name] = ScalarToString(property.Value);
            }
        }

        var history = new Dictionary<string, IReadOnlyList<PropertyHistoryEntry>>(StringComparer.Ordinal);
        if (record.TryGetProperty("propertiesWithHistory", out var withHistory) && withHistory.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in withHistory.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                var entries = new List<PropertyHistoryEntry>();
                foreach (var entry in property.Value.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object)
                    {
                        entries.Add(new PropertyHistoryEntry(
                            entry.TryGetProperty("value", out var v) ? ScalarToString(v) : null,
                            entry.TryGetProperty("timestamp", out var t) ? ScalarToString(t) : null));
                    }
                }

                history[property.Name] = entries;
            }
        }

        int? deals = null;
        if (record.TryGetProperty("associations", out var associations) && associations.ValueKind == JsonValueKind.Object
            && associations.TryGetProperty("deals", out var dealAssociations) && dealAssociations.ValueKind == JsonValueKind.Object
            && dealAssociations.TryGetProperty("results", out var dealResults) && dealResults.ValueKind == JsonValueKind.Array)
        {
            deals = dealResults.GetArrayLength();
        }

        return FromHubSpot(id, properties, history, deals);
    }

    private static string? ScalarToString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
