using System.Text.Json.Serialization;

namespace HubSyncWorker.Webhooks;

/// <summary>One event of a HubSpot webhook delivery (a delivery body is a JSON array of up to 100 of these).</summary>
/// <remarks>Every field is optional on the wire; unknown fields are ignored so a new HubSpot field never breaks intake.</remarks>
internal sealed record HubSpotWebhookEvent
{
    public long? EventId { get; init; }

    public long? SubscriptionId { get; init; }

    public long? PortalId { get; init; }

    public long? AppId { get; init; }

    public long? OccurredAt { get; init; }

    public string? SubscriptionType { get; init; }

    public int? AttemptNumber { get; init; }

    public long? ObjectId { get; init; }

    public string? ChangeSource { get; init; }

    public string? SourceId { get; init; }

    public string? ChangeFlag { get; init; }

    public string? PropertyName { get; init; }

    public string? PropertyValue { get; init; }

    public long? PrimaryObjectId { get; init; }

    public IReadOnlyList<long>? MergedObjectIds { get; init; }

    public long? NewObjectId { get; init; }

    public string? AssociationType { get; init; }

    public long? FromObjectId { get; init; }

    public long? ToObjectId { get; init; }

    public bool? AssociationRemoved { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(HubSpotWebhookEvent[]))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
