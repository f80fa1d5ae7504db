using System.Buffers.Text;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace HubSyncWorker.Webhooks;

/// <summary>
/// Reads a webhook delivery body, a JSON array of event objects, into <see cref="HubSpotWebhookEvent"/>s: the rules of
/// <see cref="JsonSerializer"/> with camel-case names and numbers also read from strings (exact, case-sensitive names; unknown
/// fields skipped; null where a field may be null; anything else of the wrong type is malformed), written by hand because under
/// load the serializer's general machinery was the largest part of the endpoint's own work.
/// </summary>
/// <remarks>
/// Malformed is decided per event: an element that is not an object, or an object with a field of the wrong kind, becomes an
/// event marked <see cref="HubSpotWebhookEvent.IsMalformed"/> and the reader goes on with the next one. HubSpot never retries a
/// refused delivery, so refusing the whole body for one bad event would lose every good one in it; only a body that is not a
/// JSON array at all is refused.
/// Fields the worker has no use for (the new value, the change source and flag: it reads the contact's current state from
/// HubSpot and tells its own writes by <see cref="HubSpotWebhookEvent.SourceId"/>) are skipped like unknown ones. The text fields
/// it keeps (source id, property name, association type, object type ids) repeat across deliveries, so each distinct value is
/// made a string once and reused while it stays in the reader's small cache.
/// </remarks>
internal sealed class WebhookDeliveryReader
{
    /// <summary>Slots of the text cache (a power of two).</summary>
    private const int TextSlots = 1024;

    private static readonly string[] KnownSubscriptionTypes =
    [
        "contact.propertyChange", "contact.creation", "contact.deletion", "contact.merge", "contact.associationChange",
        "contact.restore", "contact.privacyDeletion", "object.propertyChange", "object.creation", "object.deletion", "object.merge",
        "object.associationChange", "object.restore", "0-1", "0-3",
    ];

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    // A direct-mapped cache: each slot holds one value (its UTF-8 bytes and its string), replaced whole by a newer value that maps
    // to the same slot. Entries are immutable and a slot is one reference, so readers on any thread see an entry or its successor.
    private readonly CachedText?[] _texts = new CachedText?[TextSlots];

    public WebhookDeliveryReader()
    {
        foreach (var type in KnownSubscriptionTypes)
        {
            var utf8 = Encoding.UTF8.GetBytes(type);
            _texts[Slot(utf8)] = new CachedText(utf8, type);
        }
    }

    /// <summary>
    /// The events of <paramref name="body"/> (malformed ones marked, in their place), or null when it is not a JSON array.
    /// </summary>
    public HubSpotWebhookEvent[]? Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            var events = new List<HubSpotWebhookEvent>(16);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    events.Add(ReadEvent(ref reader));
                    continue;
                }

                // Not an object (a number, null, an array): one malformed event.
                reader.Skip();
                events.Add(new HubSpotWebhookEvent { IsMalformed = true });
            }

            // The array must close and nothing but whitespace follow it (Read throws on anything else).
            return reader.TokenType == JsonTokenType.EndArray && !reader.Read() ? [.. events] : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON (or truncated): where one event ends and the next begins is unknown, so nothing in it can be trusted.
            return null;
        }
    }

    /// <summary>One event object, the reader on its start and left on its end; marked malformed when a field has a value of the wrong kind.</summary>
    private HubSpotWebhookEvent ReadEvent(scoped ref Utf8JsonReader reader)
    {
        var e = new HubSpotWebhookEvent();
        var depth = reader.CurrentDepth;
        bool ok;
        try
        {
            ok = ReadFields(ref reader, e);
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8: this event is malformed, the others are read on.
            ok = false;
        }

        if (!ok)
        {
            e.IsMalformed = true;
            SkipToEndOfObject(ref reader, depth);
        }

        return e;
    }

    /// <summary>The fields of an event into <paramref name="e"/>; false on the first of the wrong kind, the reader on it.</summary>
    private bool ReadFields(scoped ref Utf8JsonReader reader, HubSpotWebhookEvent e)
    {
        Span<byte> unescaped = stackalloc byte[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Unescaped(reader, unescaped);
            if (!reader.Read() || !ReadField(ref reader, name, e))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves past whatever is left of the object that started at <paramref name="depth"/>, onto its end.</summary>
    private static void SkipToEndOfObject(scoped ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        while (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != depth)
        {
            reader.Read();
        }
    }

    /// <summary>The current token's text as UTF-8 bytes, unescaped (into <paramref name="buffer"/> when it fits).</summary>
    private static ReadOnlySpan<byte> Unescaped(in Utf8JsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return reader.ValueSpan.Length <= buffer.Length ? buffer[..reader.CopyString(buffer)] : Encoding.UTF8.GetBytes(reader.GetString()!);
    }

    /// <summary>Reads the value under <paramref name="name"/> into <paramref name="e"/>; false when it has the wrong kind.</summary>
    private bool ReadField(scoped ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, HubSpotWebhookEvent e)
    {
        var ok = true;
        switch (name.Length)
        {
            case 5 when name.SequenceEqual("appId"u8):
                e.AppId = ReadInt64(ref reader, ref ok);
                break;
            case 7 when name.SequenceEqual("eventId"u8):
                e.EventId = ReadInt64(ref reader, ref ok);
                break;
            case 8 when name.SequenceEqual("objectId"u8):
                e.ObjectId = ReadInt64(ref reader, ref ok);
                break;
            case 8 when name.SequenceEqual("portalId"u8):
                e.PortalId = ReadInt64(ref reader, ref ok);
                break;
            case 8 when name.SequenceEqual("sourceId"u8):
                e.SourceId = ReadText(ref reader, ref ok);
                break;
            case 10 when name.SequenceEqual("occurredAt"u8):
                e.OccurredAt = ReadInt64(ref reader, ref ok);
                break;
            case 10 when name.SequenceEqual("toObjectId"u8):
                e.ToObjectId = ReadInt64(ref reader, ref ok);
                break;
            case 11 when name.SequenceEqual("newObjectId"u8):
                e.NewObjectId = ReadInt64(ref reader, ref ok);
                break;
            case 12 when name.SequenceEqual("propertyName"u8):
                e.PropertyName = ReadText(ref reader, ref ok);
                break;
            case 12 when name.SequenceEqual("fromObjectId"u8):
                e.FromObjectId = ReadInt64(ref reader, ref ok);
                break;
            case 13 when name.SequenceEqual("attemptNumber"u8):
                e.AttemptNumber = ReadInt32(ref reader, ref ok);
                break;
            case 14 when name.SequenceEqual("subscriptionId"u8):
                e.SubscriptionId = ReadInt64(ref reader, ref ok);
                break;
            case 15 when name.SequenceEqual("primaryObjectId"u8):
                e.PrimaryObjectId = ReadInt64(ref reader, ref ok);
                break;
            case 15 when name.SequenceEqual("associationType"u8):
                e.AssociationType = ReadText(ref reader, ref ok);
                break;
            case 15 when name.SequenceEqual("mergedObjectIds"u8):
                e.MergedObjectIds = ReadInt64Array(ref reader, ref ok);
                break;
            case 16 when name.SequenceEqual("subscriptionType"u8):
                e.SubscriptionType = ReadText(ref reader, ref ok);
                break;
            case 18 when name.SequenceEqual("associationRemoved"u8):
                e.AssociationRemoved = ReadBoolean(ref reader, ref ok);
                break;
            case 12 when name.SequenceEqual("objectTypeId"u8):
                e.ObjectTypeId = ReadTypeId(ref reader, ref ok);
                break;
            case 14 when name.SequenceEqual("toObjectTypeId"u8):
                e.ToObjectTypeId = ReadTypeId(ref reader, ref ok);
                break;
            case 16 when name.SequenceEqual("fromObjectTypeId"u8):
                e.FromObjectTypeId = ReadTypeId(ref reader, ref ok);
                break;
            default:
                // Unknown, or of no use to the worker: skipped whatever it holds (the whole body is in memory, so this cannot fail).
                reader.Skip();
                break;
        }

        return ok;
    }

    /// <summary>A number, a string holding one (HubSpot's ids may come quoted), or null; anything else clears <paramref name="ok"/>.</summary>
    private static long? ReadInt64(scoped ref Utf8JsonReader reader, ref bool ok)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                return number;
            case JsonTokenType.String when TryParseQuoted(ref reader, out var number):
                return number;
            case JsonTokenType.Null:
                return null;
            default:
                ok = false;
                return null;
        }
    }

    private static int? ReadInt32(scoped ref Utf8JsonReader reader, ref bool ok)
    {
        var value = ReadInt64(ref reader, ref ok);
        if (value is < int.MinValue or > int.MaxValue)
        {
            ok = false;
            return null;
        }

        return (int?)value;
    }

    private static bool? ReadBoolean(scoped ref Utf8JsonReader reader, ref bool ok)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Null:
                return null;
            default:
                ok = false;
                return null;
        }
    }

    private static bool TryParseQuoted(scoped ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        var digits = Unescaped(reader, stackalloc byte[32]);

        // As the serializer reads a quoted number: an optional sign and digits, the whole string, no spaces.
        return Utf8Parser.TryParse(digits, out value, out var consumed) && consumed == digits.Length;
    }

    private static List<long>? ReadInt64Array(scoped ref Utf8JsonReader reader, ref bool ok)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            ok = false;
            return null;
        }

        var list = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadInt64(ref reader, ref ok) is not { } id)
            {
                ok = false;
                return null;
            }

            list.Add(id);
        }

        return list;
    }

    /// <summary>
    /// An object type id: a string (<c>"0-1"</c>), or a number taken as its text (HubSpot documents a string; a number is no reason
    /// to drop the event), or null.
    /// </summary>
    private string? ReadTypeId(scoped ref Utf8JsonReader reader, ref bool ok) =>
        reader.TokenType == JsonTokenType.Number ? Cached(reader.ValueSpan) : ReadText(ref reader, ref ok);

    /// <summary>A string (the cached instance when the value was seen before) or null; anything else clears <paramref name="ok"/>.</summary>
    private string? ReadText(scoped ref Utf8JsonReader reader, ref bool ok)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            ok = false;
            return null;
        }

        // Only plain ASCII values are looked up: their characters are their bytes, so the lookup needs no decoding rules.
        var raw = reader.ValueSpan;
        if (reader.ValueIsEscaped || !Ascii.IsValid(raw))
        {
            return reader.GetString();
        }

        return Cached(raw);
    }

    /// <summary>The string of a plain ASCII value, from the cache when it was seen before.</summary>
    private string Cached(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > 128)
        {
            return Encoding.ASCII.GetString(raw);
        }

        var slot = Slot(raw);
        if (Volatile.Read(ref _texts[slot]) is { } cached && raw.SequenceEqual(cached.Utf8))
        {
            return cached.Value;
        }

        var value = Encoding.ASCII.GetString(raw);
        Volatile.Write(ref _texts[slot], new CachedText(raw.ToArray(), value));
        return value;
    }

    /// <summary>The cache slot of a value: a hash of all its bytes (values such as <c>userId:1234</c> differ in a few digits only).</summary>
    private static int Slot(ReadOnlySpan<byte> utf8) => (int)(XxHash3.HashToUInt64(utf8) & (TextSlots - 1));

    private sealed record CachedText(byte[] Utf8, string Value);
}
