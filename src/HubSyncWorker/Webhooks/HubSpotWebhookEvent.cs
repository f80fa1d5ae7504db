using System.Text.Json.Serialization;

namespace HubSyncWorker.Webhooks;

/// <summary>One event of a HubSpot webhook delivery (a delivery body is a JSON array of up to 100 of these).</summary>
/// <remarks>Every field is optional on the wire; unknown fields are ignored so a new HubSpot field never breaks intake.</remarks>
internal sealed record HubSpotWebhookEvent
{
    public long? EventId { get; set; }

    public long? SubscriptionId { get; set; }

    public long? PortalId { get; set; }

    public long? AppId { get; set; }

    public long? OccurredAt { get; set; }

    public string? SubscriptionType { get; set; }

    public int? AttemptNumber { get; set; }

    public long? ObjectId { get; set; }

    public string? ChangeSource { get; set; }

    public string? SourceId { get; set; }

    public string? ChangeFlag { get; set; }

    public string? PropertyName { get; set; }

    public string? PropertyValue { get; set; }

    public long? PrimaryObjectId { get; set; }

    public IReadOnlyList<long>? MergedObjectIds { get; set; }

    public long? NewObjectId { get; set; }

    public string? AssociationType { get; set; }

    public long? FromObjectId { get; set; }

    public long? ToObjectId { get; set; }

    public bool? AssociationRemoved { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(HubSpotWebhookEvent[]))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
