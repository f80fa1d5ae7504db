using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HubSyncWorker.HubSpot.Errors;

namespace HubSyncWorker.HubSpot.Serialization;

/// <summary>The JSON settings every HubSpot request and response uses.</summary>
internal static class HubSpotJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        options.Converters.Add(new LenientStringConverter());
        options.Converters.Add(new LenientErrorListConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// HubSpot documents every property value as a JSON string; should a number or boolean slip through anyway,
/// it is read as its text instead of failing the whole page.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var whole)
            ? whole.ToString(CultureInfo.InvariantCulture)
            : reader.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string but found {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}

/// <summary>
/// Reads a batch answer's <c>errors</c> through <see cref="HubSpotErrorReader"/>: whatever shape an entry or field has, the
/// answer's results and the readable errors still come through (a 207 with <c>"subCategory": {}</c> once failed its whole batch).
/// </summary>
internal sealed class LenientErrorListConverter : JsonConverter<IReadOnlyList<HubSpotErrorDetail>>
{
    public override IReadOnlyList<HubSpotErrorDetail>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return HubSpotErrorReader.Details(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<HubSpotErrorDetail> value, JsonSerializerOptions options) =>
        throw new NotSupportedException("HubSpot error lists are only read.");
}

/// <summary>A field only shown or logged: any scalar as text, anything else as <see langword="null"/>, never a failure.</summary>
internal sealed class LenientTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var value = document.RootElement;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}

/// <summary>A count (<c>numErrors</c>): a whole number or its text, anything else <see langword="null"/>, never a failure.</summary>
internal sealed class LenientCountConverter : JsonConverter<int?>
{
    public override bool HandleNull => true;

    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var value = document.RootElement;
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var count) => count,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) => count,
            _ => null,
        };
    }

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } count)
        {
            writer.WriteNumberValue(count);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
