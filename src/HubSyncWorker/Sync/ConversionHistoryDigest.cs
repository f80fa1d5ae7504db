using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HubSyncWorker.Sync;

/// <summary>
/// What a contact's conversion history gave the policy, kept in the hidden output property
/// <see cref="Qualification.OutputPropertyNames.ConversionHistory"/> so a later sync evaluates the contact without reading that
/// history again, as long as <c>num_conversion_events</c> has not moved (HubSpot adds a history version with each conversion, and
/// both conversion properties are HubSpot's own, read-only to people).
/// </summary>
/// <remarks>
/// The value is <c>{"v":1,"at":5,"names":[["Request a demo",2],["Webinar replay",3]]}</c>: the conversion count it was read at,
/// and every conversion name with how many times it occurs, in order of first occurrence. That is all the policy takes from the
/// names (each name is matched on its own, counts add up, and the first conversion picks the offer bucket), whatever the policy: a
/// policy change needs no history read. Names rather than per-rule hits keep it exact across policy versions, and conversion names
/// are few per portal (forms and offers), so it stays short; a value longer than <see cref="MaxChars"/> (half of HubSpot's
/// 65,536-character limit) is not kept, and that contact's history is read each time.
/// </remarks>
internal static class ConversionHistoryDigest
{
    /// <summary>The longest value written.</summary>
    internal const int MaxChars = 32_768;

    private const int FormatVersion = 1;

    // Conversion names are people's words in any language: kept as they are, not as \u escapes that would triple their length.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value to keep for <paramref name="names"/> (oldest first) read at <paramref name="count"/> conversions; null when too long.</summary>
    public static string? Format(int count, IReadOnlyList<string> names)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var name in names)
        {
            if (counts.TryGetValue(name, out var n))
            {
                counts[name] = n + 1;
            }
            else
            {
                counts[name] = 1;
                order.Add(name);
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("v", FormatVersion);
            json.WriteNumber("at", count);
            json.WriteStartArray("names");
            foreach (var name in order)
            {
                json.WriteStartArray();
                json.WriteStringValue(name);
                json.WriteNumberValue(counts[name]);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var value = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        return value.Length <= MaxChars ? value : null;
    }

    /// <summary>
    /// The conversion names kept in <paramref name="value"/>, first conversion first, each repeated as often as it occurred; false
    /// when there is no value, it was read at another conversion count than <paramref name="count"/>, or it is not one this
    /// version wrote (then the history is read).
    /// </summary>
    public static bool TryRead(string? value, int count, out IReadOnlyList<string> names)
    {
        names = [];
        if (string.IsNullOrEmpty(value) || value.Length > MaxChars)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != FormatVersion
                || !root.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.Number || !at.TryGetInt32(out var readAt) || readAt != count
                || !root.TryGetProperty("names", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            var list = new List<string>();
            foreach (var entry in entries.EnumerateArray())
            {
                // A value edited by hand is treated as absent (its history is read and the value rewritten), never trusted to
                // expand into millions of names.
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2
                    || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number
                    || !entry[1].TryGetInt32(out var times) || times < 1 || list.Count + times > MaxChars)
                {
                    return false;
                }

                var name = entry[0].GetString()!;
                for (var i = 0; i < times; i++)
                {
                    list.Add(name);
                }
            }

            names = list;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
