namespace HubSyncWorker.Webhooks;

/// <summary>One event of a HubSpot webhook delivery (a delivery body is a JSON array of up to 100 of these).</summary>
/// <remarks>
/// Every field is optional on the wire; unknown fields are ignored so a new HubSpot field never breaks intake. Read by
/// <see cref="WebhookDeliveryReader"/>, which skips the fields the worker has no use for (the new value, the change source and
/// flag: it reads the contact's current state from HubSpot, and tells its own writes by <see cref="SourceId"/>).
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
}
