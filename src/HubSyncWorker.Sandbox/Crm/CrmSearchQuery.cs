using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Sandbox.Http;

namespace HubSyncWorker.Sandbox.Crm;

/// <summary>One search filter: a property (or <c>associations.contact</c>), an operator and its value(s).</summary>
internal sealed record CrmFilter(string PropertyName, string Operator, string? Value, string? HighValue, IReadOnlyList<string> Values);

/// <summary>
/// A parsed search body for leads and tasks with HubSpot's limits (5 groups × 6 filters, 18 in all, one sort, 200 a page, 10,000
/// results): groups are ORed, filters in a group ANDed; <c>associations.contact</c> filters by associated contact id.
/// </summary>
internal sealed record CrmSearchQuery(IReadOnlyList<IReadOnlyList<CrmFilter>> Groups, string? SortProperty, bool Descending, IReadOnlyList<string> Properties, int Limit, int After)
{
    private const int MaxGroups = 5;
    private const int MaxFiltersPerGroup = 6;
    private const int MaxFilters = 18;
    private const int MaxLimit = 200;
    private const int MaxResults = 10_000;
    private const int MaxBodyChars = 3_000;
    private const string AssociatedContact = "associations.contact";

    private static readonly HashSet<string> Operators = new(StringComparer.Ordinal)
    {
        "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
    };

    public static CrmSearchQuery Parse(JsonElement root, int bodyChars)
    {
        if (bodyChars > MaxBodyChars)
        {
            throw HubSpotJson.Validation($"The search request body has {bodyChars} characters; at most {MaxBodyChars} are allowed.");
        }

        var groups = new List<IReadOnlyList<CrmFilter>>();
        if (root.TryGetProperty("filterGroups", out var groupsElement) && groupsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var group in groupsElement.EnumerateArray())
            {
                var filters = group.ValueKind == JsonValueKind.Object && group.TryGetProperty("filters", out var f) && f.ValueKind == JsonValueKind.Array
                    ? f.EnumerateArray().Select(ParseFilter).ToList()
                    : [];
                if (filters.Count > MaxFiltersPerGroup)
                {
                    throw HubSpotJson.Validation($"A filter group has {filters.Count} filters; at most {MaxFiltersPerGroup} are allowed.");
                }

                groups.Add(filters);
            }
        }

        if (groups.Count > MaxGroups)
        {
            throw HubSpotJson.Validation($"The search has {groups.Count} filter groups; at most {MaxGroups} are allowed.");
        }

        if (groups.Sum(g => g.Count) > MaxFilters)
        {
            throw HubSpotJson.Validation($"The search has {groups.Sum(g => g.Count)} filters; at most {MaxFilters} are allowed.");
        }

        var (sortProperty, descending) = ParseSort(root);
        var limit = root.TryGetProperty("limit", out var limitElement) && limitElement.ValueKind == JsonValueKind.Number ? limitElement.GetInt32() : 10;
        if (limit is < 1 or > MaxLimit)
        {
            throw HubSpotJson.Validation($"limit must be between 1 and {MaxLimit} (was {limit}).");
        }

        var after = 0;
        if (root.TryGetProperty("after", out var afterElement) && HubSpotJson.AsText(afterElement) is { Length: > 0 } afterText
            && !int.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw HubSpotJson.Validation($"Invalid paging cursor '{afterText}'.");
        }

        if (after + limit > MaxResults)
        {
            throw HubSpotJson.Validation($"Paging past {MaxResults} results is not supported (after {after}, limit {limit}).");
        }

        return new CrmSearchQuery(groups, sortProperty, descending, HubSpotJson.StringArray(root, "properties"), limit, after);
    }

    /// <summary>True when <paramref name="state"/> matches any group (every record when there is none).</summary>
    public bool Matches(long id, CrmObjectState state) => Groups.Count == 0 || Groups.Any(group => group.All(filter => Matches(id, state, filter)));

    /// <summary>The sort key of a record: the sort property's value, or its id when none is asked for.</summary>
    public string? SortValue(long id, CrmObjectState state) =>
        SortProperty is null ? null : ValueOf(id, state, SortProperty);

    private static bool Matches(long id, CrmObjectState state, CrmFilter filter)
    {
        if (filter.PropertyName == AssociatedContact)
        {
            var contacts = state.ContactIds.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
            return filter.Operator switch
            {
                "EQ" => contacts.Contains(filter.Value ?? "", StringComparer.Ordinal),
                "IN" => contacts.Intersect(filter.Values, StringComparer.Ordinal).Any(),
                _ => throw HubSpotJson.Validation($"Operator {filter.Operator} is not supported for {AssociatedContact}."),
            };
        }

        var value = ValueOf(id, state, filter.PropertyName);
        return filter.Operator switch
        {
            "HAS_PROPERTY" => value is not null,
            "NOT_HAS_PROPERTY" => value is null,
            "EQ" => Equal(value, filter.Value),
            "NEQ" => !Equal(value, filter.Value),
            "IN" => filter.Values.Any(v => Equal(value, v)),
            "NOT_IN" => !filter.Values.Any(v => Equal(value, v)),
            "LT" => value is not null && Compare(value, filter.Value) < 0,
            "LTE" => value is not null && Compare(value, filter.Value) <= 0,
            "GT" => value is not null && Compare(value, filter.Value) > 0,
            "GTE" => value is not null && Compare(value, filter.Value) >= 0,
            "BETWEEN" => value is not null && Compare(value, filter.Value) >= 0 && Compare(value, filter.HighValue) <= 0,
            "CONTAINS_TOKEN" => value?.Contains(filter.Value ?? "", StringComparison.OrdinalIgnoreCase) == true,
            _ => value?.Contains(filter.Value ?? "", StringComparison.OrdinalIgnoreCase) != true,
        };
    }

    private static string? ValueOf(long id, CrmObjectState state, string name) =>
        name == "hs_object_id" ? id.ToString(CultureInfo.InvariantCulture) : state.Values.GetValueOrDefault(name);

    // HubSpot compares enumeration values case-insensitively in search.
    private static bool Equal(string? value, string? expected) => value is not null && string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    internal static int Compare(string? left, string? right)
    {
        if (double.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var r))
        {
            return l.CompareTo(r);
        }

        if (DateTimeOffset.TryParse(left, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ld)
            && double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rm))
        {
            // Datetime values are stored as ISO 8601 and filtered with epoch milliseconds.
            return ((double)ld.ToUnixTimeMilliseconds()).CompareTo(rm);
        }

        return string.CompareOrdinal(left, right);
    }

    private static CrmFilter ParseFilter(JsonElement filter)
    {
        if (filter.ValueKind != JsonValueKind.Object || !filter.TryGetProperty("propertyName", out var nameElement) || HubSpotJson.AsText(nameElement) is not { Length: > 0 } name)
        {
            throw HubSpotJson.Validation("filters[].propertyName is required.");
        }

        var op = filter.TryGetProperty("operator", out var opElement) ? HubSpotJson.AsText(opElement) : null;
        if (op is null || !Operators.Contains(op))
        {
            throw HubSpotJson.Validation($"filters[].operator '{op}' is not a valid operator.");
        }

        var value = filter.TryGetProperty("value", out var valueElement) ? HubSpotJson.AsText(valueElement) : null;
        var high = filter.TryGetProperty("highValue", out var highElement) ? HubSpotJson.AsText(highElement) : null;
        return new CrmFilter(name, op, value, high, HubSpotJson.StringArray(filter, "values"));
    }

    private static (string? Property, bool Descending) ParseSort(JsonElement root)
    {
        if (!root.TryGetProperty("sorts", out var sorts) || sorts.ValueKind != JsonValueKind.Array || sorts.GetArrayLength() == 0)
        {
            return (null, false);
        }

        if (sorts.GetArrayLength() > 1)
        {
            throw HubSpotJson.Validation($"The search has {sorts.GetArrayLength()} sorts; at most 1 is allowed.");
        }

        var sort = sorts[0];
        if (sort.ValueKind == JsonValueKind.String)
        {
            // HubSpot's spec types sorts as strings (a property name, "-name" for descending); clients send objects too.
            var text = sort.GetString()!;
            return text.StartsWith('-') ? (text[1..], true) : (text, false);
        }

        var property = sort.TryGetProperty("propertyName", out var p) ? HubSpotJson.AsText(p) : null;
        var direction = sort.TryGetProperty("direction", out var d) ? HubSpotJson.AsText(d) : null;
        return (property, string.Equals(direction, "DESCENDING", StringComparison.OrdinalIgnoreCase));
    }
}
