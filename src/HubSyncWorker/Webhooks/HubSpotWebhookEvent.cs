using System.Text.Json.Serialization;

namespace HubSyncWorker.Webhooks;

/// <summary>One event of a HubSpot webhook delivery (a delivery body is a JSON array of up to 100 of these).</summary>
/// <remarks>
/// Every field is optional on the wire; unknown fields are ignored so a new HubSpot field never breaks intake. Read by
/// <see cref="WebhookDeliveryReader"/>, which skips the fields the worker has no use for (the new value, the change source and
/// flag: it reads the contact's current state from HubSpot, and tells its own writes by <see cref="SourceId"/>). Generic events
/// (<c>object.*</c>, from a developer-platform app's <c>crmObjects</c> subscriptions) add the object type ids; their
/// <c>isSensitive</c>, <c>associationTypeId</c> and <c>associationCategory</c> are skipped too (the object type ids say all the
/// worker needs about an association).
/// </remarks>
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

    public string? SourceId { get; set; }

    public string? PropertyName { get; set; }

    public long? PrimaryObjectId { get; set; }

    public IReadOnlyList<long>? MergedObjectIds { get; set; }

    public long? NewObjectId { get; set; }

    public string? AssociationType { get; set; }

    public long? FromObjectId { get; set; }

    public long? ToObjectId { get; set; }

    public bool? AssociationRemoved { get; set; }

    /// <summary>The object type of a generic event (<c>0-1</c> is a contact), as sent: a string, or the text of a number.</summary>
    public string? ObjectTypeId { get; set; }

    /// <summary>The object type of <see cref="FromObjectId"/> in a generic association change.</summary>
    public string? FromObjectTypeId { get; set; }

    /// <summary>The object type of <see cref="ToObjectId"/> in a generic association change.</summary>
    public string? ToObjectTypeId { get; set; }

    /// <summary>
    /// True when the element was not an event object, or one of its fields had a value of the wrong kind: the event is skipped
    /// and counted, the rest of the delivery is still accepted (HubSpot never retries a refused delivery). The fields read before
    /// the bad one are kept, for the counters only.
    /// </summary>
    [JsonIgnore]
    public bool IsMalformed { get; set; }
}
