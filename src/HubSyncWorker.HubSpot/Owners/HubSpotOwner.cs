namespace HubSyncWorker.HubSpot.Owners;

/// <summary>A HubSpot owner: a user who can own records. <see cref="Id"/> is what <c>hubspot_owner_id</c> holds.</summary>
public sealed record HubSpotOwner
{
    public required string Id { get; init; }

    public string? Email { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    /// <summary>The user id (changes this person makes carry <c>sourceId</c> <c>userId:{UserId}</c>).</summary>
    public long? UserId { get; init; }

    /// <summary><c>PERSON</c> or <c>QUEUE</c>.</summary>
    public string? Type { get; init; }

    public bool Archived { get; init; }
}
