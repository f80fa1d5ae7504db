using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>The contact journal subscription the worker wants (sent as HubSpot's <c>SubscriptionUpsertRequest</c>).</summary>
/// <param name="SubscriptionType"><c>OBJECT</c>, <c>ASSOCIATION</c> or <c>GDPR_PRIVACY_DELETION</c>.</param>
/// <param name="ObjectTypeId"><c>0-1</c> for contacts.</param>
/// <param name="PortalId">The portal the app is installed in.</param>
/// <param name="Actions">For <c>OBJECT</c>: <c>CREATE</c>, <c>UPDATE</c>, <c>DELETE</c>, <c>MERGE</c>, <c>RESTORE</c>; <c>ASSOCIATION_ADDED</c>/<c>_REMOVED</c>; <c>GDPR_DELETE</c>.</param>
/// <param name="Properties">For <c>OBJECT</c>: the properties whose updates are journaled.</param>
/// <param name="AssociatedObjectTypeIds">For <c>ASSOCIATION</c>: the other end (<c>0-3</c> deals).</param>
public sealed record JournalSubscriptionRequest(
    string SubscriptionType,
    string ObjectTypeId,
    long PortalId,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string>? Properties = null,
    IReadOnlyList<string>? AssociatedObjectTypeIds = null)
{
    /// <summary>Every object of the type (HubSpot requires the field; empty means all).</summary>
    public IReadOnlyList<long>? ObjectIds { get; init; } = SubscriptionType == "GDPR_PRIVACY_DELETION" ? null : [];

    /// <summary>Contact create, update of <paramref name="properties"/>, delete, merge and restore.</summary>
    public static JournalSubscriptionRequest ContactChanges(long portalId, IEnumerable<string> properties) =>
        new("OBJECT", "0-1", portalId, ["CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE"], [.. properties.Distinct().Order(StringComparer.Ordinal)]);

    /// <summary>Contact–deal associations added and removed.</summary>
    public static JournalSubscriptionRequest ContactDealAssociations(long portalId) =>
        new("ASSOCIATION", "0-1", portalId, ["ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"], AssociatedObjectTypeIds: ["0-3"]);

    /// <summary>Contact privacy (GDPR) deletions.</summary>
    public static JournalSubscriptionRequest ContactPrivacyDeletions(long portalId) =>
        new("GDPR_PRIVACY_DELETION", "0-1", portalId, ["GDPR_DELETE"]);

    /// <summary>True when <paramref name="existing"/> already is this subscription (same sets, in any order).</summary>
    internal bool IsMetBy(JournalSubscription existing) =>
        existing.SubscriptionType == SubscriptionType && existing.ObjectTypeId == ObjectTypeId && existing.PortalId == PortalId
        && SameSet(existing.Actions, Actions) && SameSet(existing.Properties, Properties) && SameSet(existing.AssociatedObjectTypeIds, AssociatedObjectTypeIds)
        && (existing.ObjectIds ?? []).ToHashSet().SetEquals(ObjectIds ?? []);

    private static bool SameSet(IReadOnlyList<string>? left, IReadOnlyList<string>? right) =>
        (left ?? []).ToHashSet(StringComparer.Ordinal).SetEquals(right ?? []);
}

/// <summary>A journal subscription as HubSpot stores it (<c>SubscriptionResponse</c>).</summary>
public sealed record JournalSubscription
{
    public long Id { get; init; }

    public long? AppId { get; init; }

    public string SubscriptionType { get; init; } = "";

    public string ObjectTypeId { get; init; } = "";

    public long? PortalId { get; init; }

    public IReadOnlyList<string> Actions { get; init; } = [];

    public IReadOnlyList<long>? ObjectIds { get; init; }

    public IReadOnlyList<string>? Properties { get; init; }

    public IReadOnlyList<string>? AssociatedObjectTypeIds { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>What ensuring the subscriptions did: the subscriptions as they are now, and how many calls changed something.</summary>
public sealed record JournalSubscriptionsEnsured(IReadOnlyList<JournalSubscription> Subscriptions, int Upserted, int Unchanged);

/// <summary>One journal event: a change of one contact.</summary>
public sealed record JournalEvent
{
    public long? SubscriptionId { get; init; }

    public long? PortalId { get; init; }

    public long? AppId { get; init; }

    /// <summary><c>0-1</c> for contacts.</summary>
    public string ObjectTypeId { get; init; } = "";

    public long ObjectId { get; init; }

    /// <summary><c>CREATE</c>, <c>UPDATE</c>, <c>DELETE</c>, <c>MERGE</c>, <c>RESTORE</c>, <c>ASSOCIATION_ADDED</c>, <c>ASSOCIATION_REMOVED</c>, <c>GDPR_DELETE</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>When the change happened (read from an ISO-8601 string or epoch milliseconds).</summary>
    [JsonConverter(typeof(FlexibleInstantConverter))]
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>Who made it (<c>CRM_UI</c>, <c>INTEGRATION</c>, ...): the loop guard's input.</summary>
    public string? ChangeSource { get; init; }

    public string? SourceId { get; init; }

    /// <summary>For <c>CREATE</c> and <c>UPDATE</c>: the subscribed properties' new values.</summary>
    public IReadOnlyDictionary<string, string?>? PropertyChanges { get; init; }

    /// <summary>For <c>MERGE</c>: the surviving contact.</summary>
    public long? PrimaryObjectId { get; init; }

    /// <summary>For <c>MERGE</c>: the contacts merged into it.</summary>
    public IReadOnlyList<long>? MergedObjectIds { get; init; }

    public long? NewObjectId { get; init; }

    /// <summary>For association events: the other end's type (<c>0-3</c>) and id.</summary>
    public string? AssociatedObjectTypeId { get; init; }

    public long? AssociatedObjectId { get; init; }

    public int? AssociationTypeId { get; init; }
}

/// <summary>One journal entry: its offset and its events, in the order HubSpot journaled them.</summary>
public sealed record JournalEntry(string Offset, IReadOnlyList<JournalEvent> Events);

/// <summary>
/// A read of the journal: the entries after the offset (oldest first) and the offset to read from next (the last entry's, or the offset
/// read from when nothing was new).
/// </summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Entries, string? NextOffset)
{
    /// <summary>True when nothing was new.</summary>
    public bool IsEmpty => Entries.Count == 0;
}

/// <summary>One result of a journal read: a pre-signed URL to the entry's file (<c>JournalFetchResponse</c>).</summary>
internal sealed record JournalFetch(string CurrentOffset, string Url, DateTimeOffset? ExpiresAt);

internal sealed record JournalBatch(IReadOnlyList<JournalFetch> Results, string? Status);

internal sealed record JournalSubscriptionList(IReadOnlyList<JournalSubscription> Results);

/// <summary>The file behind a pre-signed URL.</summary>
internal sealed record JournalFile(string? Offset, IReadOnlyList<JournalEvent>? JournalEvents);

/// <summary>The client-credentials token answer of <c>POST /oauth/v1/token</c>.</summary>
internal sealed record ClientCredentialsToken(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("token_type")] string? TokenType);

/// <summary>An instant written as an ISO-8601 string or as epoch milliseconds (HubSpot uses both across its APIs).</summary>
internal sealed class FlexibleInstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64()),
        JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms),
        JsonTokenType.String => DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        _ => throw new JsonException($"Expected an instant, found {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
