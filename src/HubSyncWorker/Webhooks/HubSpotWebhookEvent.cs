using System.Text.Json.Serialization;

namespace HubSyncWorker.Webhooks;

/// <summary>One event of a HubSpot webhook delivery (a delivery body is a JSON array of up to 100 of these).</summary>
/// <remarks>
/// Every field is optional on the wire; unknown fields are ignored so a new HubSpot field never breaks intake. The fields the
/// worker has no use for (the new value, the change source and flag: it reads the contact's current state from HubSpot, and
/// tells its own writes by <see cref="SourceId"/>) are skipped by the reader, not turned into strings, and the subscription type
/// is one of the known constants when it is one.
/// </remarks>
internal sealed record HubSpotWebhookEvent
{
    public long? EventId { get; set; }

    public long? SubscriptionId { get; set; }

    public long? PortalId { get; set; }

    public long? AppId { get; set; }

    public long? OccurredAt { get; set; }

    [JsonConverter(typeof(SubscriptionTypeConverter))]
    public string? SubscriptionType { get; set; }

    public int? AttemptNumber { get; set; }

    public long? ObjectId { get; set; }

    [JsonIgnore]
    public string? ChangeSource { get; set; }

    public string? SourceId { get; set; }

    [JsonIgnore]
    public string? ChangeFlag { get; set; }

    public string? PropertyName { get; set; }

    [JsonIgnore]
    public string? PropertyValue { get; set; }

    public long? PrimaryObjectId { get; set; }

    public IReadOnlyList<long>? MergedObjectIds { get; set; }

    public long? NewObjectId { get; set; }

    public string? AssociationType { get; set; }

    public long? FromObjectId { get; set; }

    public long? ToObjectId { get; set; }

    public bool? AssociationRemoved { get; set; }
}

/// <summary>Reads a subscription type as the matching constant (no string per event), or as a new string when HubSpot sends another.</summary>
internal sealed class SubscriptionTypeConverter : JsonConverter<string?>
{
    private static readonly (byte[] Utf8, string Value)[] Known =
    [
        .. new[]
        {
            "contact.propertyChange", "contact.creation", "contact.deletion", "contact.merge", "contact.associationChange",
            "contact.restore", "contact.privacyDeletion",
        }.Select(type => (System.Text.Encoding.UTF8.GetBytes(type), type)),
    ];

    public override bool HandleNull => true;

    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType == System.Text.Json.JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != System.Text.Json.JsonTokenType.String)
        {
            throw new System.Text.Json.JsonException("subscriptionType is not a string.");
        }

        foreach (var (utf8, value) in Known)
        {
            if (reader.ValueTextEquals(utf8))
            {
                return value;
            }
        }

        return reader.GetString();
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string? value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(HubSpotWebhookEvent[]))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
