using System.Text.Json;

namespace HubSyncWorker.HubSpot.Errors;

/// <summary>
/// Tolerant reader of HubSpot's error shapes: takes what it can read from each field and ignores the rest, so an unexpected shape
/// (an object where a string was expected, a scalar where an array was, unknown fields) never costs the rest of an error body or
/// a batch answer. Strings come from strings, numbers and booleans; a <c>subCategory</c> or <c>message</c> that is an object or
/// array keeps its JSON text, since it may still help a reader of the logs.
/// </summary>
internal static class HubSpotErrorReader
{
    /// <summary>An error body, or <see langword="null"/> when <paramref name="element"/> is not an object.</summary>
    public static HubSpotErrorBody? Body(JsonElement element) => element.ValueKind != JsonValueKind.Object ? null : new HubSpotErrorBody
    {
        Status = Text(element, "status"),
        Message = TextOrJson(element, "message"),
        CorrelationId = Text(element, "correlationId"),
        Category = Text(element, "category"),
        SubCategory = TextOrJson(element, "subCategory"),
        PolicyName = Text(element, "policyName"),
        ErrorType = Text(element, "errorType"),
        RequestId = Text(element, "requestId"),
        Errors = element.TryGetProperty("errors", out var errors) ? Details(errors) : null,
        Context = element.TryGetProperty("context", out var context) ? Context(context) : null,
    };

    /// <summary>
    /// The readable entries of an <c>errors</c> array: objects as details, a bare string as a detail with that message; other
    /// entries are skipped. <see langword="null"/> when <paramref name="element"/> is not an array.
    /// </summary>
    public static IReadOnlyList<HubSpotErrorDetail>? Details(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var details = new List<HubSpotErrorDetail>();
        foreach (var entry in element.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object)
            {
                details.Add(Detail(entry));
            }
            else if (entry.ValueKind == JsonValueKind.String)
            {
                details.Add(new HubSpotErrorDetail { Message = entry.GetString() });
            }
        }

        return details;
    }

    private static HubSpotErrorDetail Detail(JsonElement element) => new()
    {
        Message = TextOrJson(element, "message"),
        Code = Text(element, "code"),
        Status = Text(element, "status"),
        Category = Text(element, "category"),
        SubCategory = TextOrJson(element, "subCategory"),
        ObjectWriteTraceId = Text(element, "objectWriteTraceId"),
        Context = element.TryGetProperty("context", out var context) ? Context(context) : null,
    };

    /// <summary>
    /// A <c>context</c> object as lists of strings: an array keeps its scalar items, a lone scalar becomes a one-item list, objects
    /// and nulls give an empty list. <see langword="null"/> when <paramref name="element"/> is not an object.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>>? Context(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var values = property.Value.ValueKind == JsonValueKind.Array
                ? property.Value.EnumerateArray().Select(Scalar).OfType<string>().ToList()
                : Scalar(property.Value) is { } single ? [single] : [];
            context[property.Name] = values;
        }

        return context;
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? Scalar(value) : null;

    private static string? TextOrJson(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object when !value.EnumerateObject().Any() => null,
            JsonValueKind.Array when value.GetArrayLength() == 0 => null,
            JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
            _ => Scalar(value),
        };
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };
}
