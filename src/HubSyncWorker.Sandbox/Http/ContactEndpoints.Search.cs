using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Sandbox.Contacts;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>The search endpoint: its request parsed and checked against HubSpot's limits (filters, sorts, paging), then run on the index.</summary>
internal sealed partial class ContactEndpoints
{
    public async Task SearchAsync(HttpContext context)
    {
        var (document, chars) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            if (chars > MaxSearchBodyChars)
            {
                throw HubSpotJson.Validation($"The search request body has {chars} characters; at most {MaxSearchBodyChars} are allowed.");
            }

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw HubSpotJson.Validation("The search request body must be a JSON object.");
            }

            var query = ParseSearch(root);
            var properties = SandboxContactStore.OutputProperties(HubSpotJson.StringArray(root, "properties")).ToArray();
            var (total, page) = store.Search(query);
            await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
            {
                json.WriteStartObject();
                json.WriteNumber("total", total);
                json.WriteStartArray("results");
                foreach (var view in page)
                {
                    HubSpotJson.WriteRecord(json, view, properties);
                }

                json.WriteEndArray();
                if (query.After + page.Count < total)
                {
                    json.WriteStartObject("paging");
                    json.WriteStartObject("next");
                    json.WriteString("after", (query.After + page.Count).ToString(CultureInfo.InvariantCulture));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            });
        }
    }

    private SearchQuery ParseSearch(JsonElement root)
    {
        var groups = new List<IReadOnlyList<SearchFilter>>();
        if (root.TryGetProperty("filterGroups", out var groupsElement) && groupsElement.ValueKind == JsonValueKind.Array)
        {
            if (groupsElement.GetArrayLength() > 5)
            {
                throw HubSpotJson.Validation($"Too many filter groups ({groupsElement.GetArrayLength()}); at most 5 are allowed.");
            }

            foreach (var group in groupsElement.EnumerateArray())
            {
                var filters = HubSpotJson.RequiredArray(group, "filters").EnumerateArray().Select(ParseFilter).ToList();
                if (filters.Count > 6)
                {
                    throw HubSpotJson.Validation($"Too many filters in a group ({filters.Count}); at most 6 are allowed.");
                }

                groups.Add(filters);
            }

            var total = groups.Sum(g => g.Count);
            if (total > 18)
            {
                throw HubSpotJson.Validation($"Too many filters ({total}); at most 18 are allowed across all filter groups.");
            }
        }

        if (root.TryGetProperty("query", out var text) && text.ValueKind != JsonValueKind.Null)
        {
            throw HubSpotJson.Validation("The sandbox does not support full-text 'query'; use filters.");
        }

        string? sortProperty = null;
        var descending = false;
        if (root.TryGetProperty("sorts", out var sorts) && sorts.ValueKind == JsonValueKind.Array)
        {
            if (sorts.GetArrayLength() > 1)
            {
                throw HubSpotJson.Validation("Only one sort is allowed.");
            }

            foreach (var sort in sorts.EnumerateArray())
            {
                if (sort.ValueKind == JsonValueKind.String)
                {
                    var raw = sort.GetString()!;
                    descending = raw.StartsWith('-');
                    sortProperty = raw.TrimStart('-');
                }
                else
                {
                    sortProperty = sort.TryGetProperty("propertyName", out var name) ? HubSpotJson.AsText(name) : null;
                    descending = sort.TryGetProperty("direction", out var direction)
                        && string.Equals(HubSpotJson.AsText(direction), "DESCENDING", StringComparison.OrdinalIgnoreCase);
                }

                if (string.IsNullOrEmpty(sortProperty) || catalog.Find(sortProperty) is null)
                {
                    throw HubSpotJson.Validation($"Cannot sort by unknown property '{sortProperty}'.");
                }
            }
        }

        var limit = root.TryGetProperty("limit", out var limitElement) ? ParseInt(HubSpotJson.AsText(limitElement), "limit") : 10;
        if (limit is < 1 or > 200)
        {
            throw HubSpotJson.Validation($"limit must be between 1 and 200 (was {limit}).");
        }

        var after = root.TryGetProperty("after", out var afterElement) && HubSpotJson.AsText(afterElement) is { Length: > 0 } afterText
            ? ParseInt(afterText, "after")
            : 0;
        if (after < 0)
        {
            throw HubSpotJson.Validation($"after must not be negative (was {after}).");
        }

        if ((long)after + limit > MaxSearchResults)
        {
            throw HubSpotJson.Validation(
                $"Search can page through at most {MaxSearchResults} results (after {after} + limit {limit}). Narrow the query with a filter instead.");
        }

        return new SearchQuery(groups, sortProperty, descending, after, limit);
    }

    private SearchFilter ParseFilter(JsonElement filter)
    {
        var name = filter.TryGetProperty("propertyName", out var n) ? HubSpotJson.AsText(n) : null;
        var op = filter.TryGetProperty("operator", out var o) ? HubSpotJson.AsText(o) : null;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(op))
        {
            throw HubSpotJson.Validation("Every filter needs propertyName and operator.");
        }

        if (!ContactSearch.Operators.Contains(op))
        {
            throw HubSpotJson.Validation($"Unknown filter operator '{op}'.");
        }

        if (catalog.Find(name) is null)
        {
            throw HubSpotJson.Validation($"Cannot filter on unknown property '{name}'.");
        }

        var value = filter.TryGetProperty("value", out var v) ? HubSpotJson.AsText(v) : null;
        var highValue = filter.TryGetProperty("highValue", out var h) ? HubSpotJson.AsText(h) : null;
        var values = filter.TryGetProperty("values", out _) ? HubSpotJson.StringArray(filter, "values") : null;
        var missing = op switch
        {
            "BETWEEN" when value is null || highValue is null => "BETWEEN needs value and highValue",
            "IN" or "NOT_IN" when values is null => $"{op} needs values",
            "EQ" or "NEQ" or "LT" or "LTE" or "GT" or "GTE" or "CONTAINS_TOKEN" or "NOT_CONTAINS_TOKEN" when value is null => $"{op} needs a value",
            _ => null,
        };
        if (missing is not null)
        {
            throw HubSpotJson.Validation($"Filter on '{name}': {missing}.");
        }

        return new SearchFilter(name, op, value, highValue, values);
    }
}
