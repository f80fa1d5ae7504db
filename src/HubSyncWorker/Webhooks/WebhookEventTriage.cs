using System.Buffers.Text;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using HubSyncWorker.Storage;

namespace HubSyncWorker.Webhooks;

/// <summary>What the worker does with one webhook event.</summary>
internal enum WebhookEventDisposition
{
    /// <summary>Re-evaluate the contact: it goes on the work queue.</summary>
    Evaluate,

    /// <summary>The contact is gone (deleted, merged away, privacy deletion): drop what the worker holds for it.</summary>
    Forget,

    /// <summary>An echo of the worker's own write (its app as source, or one of its output properties): no work, or it would loop.</summary>
    IgnoredEcho,

    /// <summary>A change to a property the policy does not read: it cannot change the decision.</summary>
    IgnoredUnwatchedProperty,

    /// <summary>A subscription type the worker does not handle (counted, not an error).</summary>
    IgnoredUnknownType,

    /// <summary>An association change that cannot move the stage (not a deal), or an event without a contact id.</summary>
    IgnoredIrrelevant,

    /// <summary>A generic (<c>object.*</c>) event about an object that is not a contact, nor a contact-deal association.</summary>
    IgnoredOtherObjectType,

    /// <summary>An element of the delivery that is not a well-formed event: skipped and counted, the rest is accepted.</summary>
    Malformed,
}

/// <summary>The triage of one event.</summary>
/// <param name="DedupeId">The event's identity (<see cref="WebhookEventTriage.DedupeId"/>); a redelivery of the same event has the same.</param>
/// <param name="Disposition">What to do.</param>
/// <param name="ContactIds">The contacts concerned: the one to evaluate, or the ones to forget.</param>
/// <param name="SubscriptionType">The event's subscription type, for metrics.</param>
internal readonly record struct TriagedEvent(UInt128 DedupeId, WebhookEventDisposition Disposition, IReadOnlyList<string> ContactIds, string SubscriptionType);

/// <summary>The property names the policy reads and the worker writes, which decide whether a property change matters.</summary>
internal interface IContactPropertyFilter
{
    /// <summary>True when the policy reads the property, so a change to it can change the decision.</summary>
    bool IsWatched(string propertyName);

    /// <summary>True when the property is one the worker writes (a change to it is the worker's own echo).</summary>
    bool IsOutput(string propertyName);
}

/// <summary>
/// Decides, without I/O, what each webhook event means for the worker: the loop guard (own app, own output properties),
/// the property filter, merges and deletions.
/// </summary>
/// <remarks>
/// Both formats HubSpot delivers are read: the classic <c>contact.*</c> events (legacy apps, <c>legacyCrmObjects</c>) and the
/// generic <c>object.*</c> ones of a developer-platform app's <c>crmObjects</c> subscriptions. A generic event about a contact
/// (<c>objectTypeId</c> <c>0-1</c>) is triaged exactly as its <c>contact.*</c> twin; a generic association change names its two
/// object types instead of an association type name.
/// </remarks>
internal sealed class WebhookEventTriage(IContactPropertyFilter properties, IReadOnlyCollection<string> ownAppIds)
{
    /// <summary>HubSpot's object type id of contacts.</summary>
    public const string ContactTypeId = "0-1";

    /// <summary>HubSpot's object type id of deals.</summary>
    public const string DealTypeId = "0-3";

    public TriagedEvent Triage(HubSpotWebhookEvent e)
    {
        var type = e.SubscriptionType ?? "unknown";
        var key = DedupeId(e);
        if (e.IsMalformed)
        {
            return new TriagedEvent(key, WebhookEventDisposition.Malformed, [], type);
        }

        return type switch
        {
            "object.associationChange" => TriageGenericAssociation(key, type, e),
            "object.creation" or "object.restore" or "object.propertyChange" or "object.deletion" or "object.merge"
                when !string.Equals(e.ObjectTypeId, ContactTypeId, StringComparison.Ordinal) => OtherObjectType(key, type),
            "contact.creation" or "contact.restore" or "object.creation" or "object.restore" => EvaluateObject(key, type, e.ObjectId),
            "contact.propertyChange" or "object.propertyChange" => TriagePropertyChange(key, type, e),
            "contact.deletion" or "contact.privacyDeletion" or "object.deletion" => e.ObjectId is { } id
                ? new TriagedEvent(key, WebhookEventDisposition.Forget, [Id(id)], type)
                : Irrelevant(key, type),
            "contact.merge" or "object.merge" => TriageMerge(key, type, e),
            "contact.associationChange" => TriageAssociation(key, type, e),
            _ => new TriagedEvent(key, WebhookEventDisposition.IgnoredUnknownType, [], type),
        };
    }

    /// <summary>
    /// The identity of an event across HubSpot's retries. <c>eventId</c> alone is not guaranteed unique, so the key also carries
    /// the portal, subscription, object and time; <c>attemptNumber</c> is left out because it changes between retries.
    /// </summary>
    public static string DedupeKey(HubSpotWebhookEvent e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.PortalId}:{e.SubscriptionId}:{e.EventId}:{e.ObjectId}:{e.OccurredAt}:{e.SubscriptionType}");

    /// <summary>
    /// The identity the inbox remembers: <see cref="InboxEvent.IdOf"/> of <see cref="DedupeKey"/>, computed from the key's UTF-8
    /// text written on the stack (no string per event).
    /// </summary>
    public static UInt128 DedupeId(HubSpotWebhookEvent e)
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = 0;
        var typeLength = 0;
        var fits = Number(buffer, ref length, e.PortalId) && Number(buffer, ref length, e.SubscriptionId) && Number(buffer, ref length, e.EventId)
            && Number(buffer, ref length, e.ObjectId) && Number(buffer, ref length, e.OccurredAt)
            && Encoding.UTF8.TryGetBytes(e.SubscriptionType, buffer[length..], out typeLength);
        return fits ? XxHash128.HashToUInt128(buffer[..(length + typeLength)]) : InboxEvent.IdOf(DedupeKey(e));

        // A number (nothing for null) and the ':' after it, as the key's text has them.
        static bool Number(Span<byte> buffer, ref int length, long? value)
        {
            var written = 0;
            if (value is { } number && !Utf8Formatter.TryFormat(number, buffer[length..], out written))
            {
                return false;
            }

            if (length + written >= buffer.Length)
            {
                return false;
            }

            buffer[length + written] = (byte)':';
            length += written + 1;
            return true;
        }
    }

    private TriagedEvent TriagePropertyChange(UInt128 key, string type, HubSpotWebhookEvent e)
    {
        if (IsOwnWrite(e.SourceId) || (e.PropertyName is { } name && properties.IsOutput(name)))
        {
            return new TriagedEvent(key, WebhookEventDisposition.IgnoredEcho, [], type);
        }

        if (e.PropertyName is null || !properties.IsWatched(e.PropertyName))
        {
            return new TriagedEvent(key, WebhookEventDisposition.IgnoredUnwatchedProperty, [], type);
        }

        return EvaluateObject(key, type, e.ObjectId);
    }

    private static TriagedEvent TriageMerge(UInt128 key, string type, HubSpotWebhookEvent e)
    {
        var survivor = e.NewObjectId ?? e.PrimaryObjectId ?? e.ObjectId;
        if (survivor is null)
        {
            return Irrelevant(key, type);
        }

        // The merged-away records no longer exist; the survivor carries the merged data and must be re-evaluated.
        // Both halves are reported as one Evaluate whose first id is the survivor; the rest are forgotten by the intake.
        var ids = new List<string> { Id(survivor.Value) };
        foreach (var merged in e.MergedObjectIds ?? [])
        {
            if (merged != survivor.Value)
            {
                ids.Add(Id(merged));
            }
        }

        return new TriagedEvent(key, WebhookEventDisposition.Evaluate, ids, type);
    }

    private static TriagedEvent TriageAssociation(UInt128 key, string type, HubSpotWebhookEvent e)
    {
        // A deal added to or removed from a contact can move it to or from opportunity. HubSpot fires once per direction:
        // CONTACT_TO_DEAL has the contact in fromObjectId, DEAL_TO_CONTACT in toObjectId.
        var association = e.AssociationType ?? string.Empty;
        if (!association.Contains("DEAL", StringComparison.OrdinalIgnoreCase))
        {
            return Irrelevant(key, type);
        }

        var contactId = association.StartsWith("CONTACT", StringComparison.OrdinalIgnoreCase) ? e.FromObjectId
            : association.EndsWith("CONTACT", StringComparison.OrdinalIgnoreCase) ? e.ToObjectId
            : e.ObjectId;
        return EvaluateObject(key, type, contactId ?? e.ObjectId);
    }

    private static TriagedEvent TriageGenericAssociation(UInt128 key, string type, HubSpotWebhookEvent e)
    {
        // As for the classic event: only a deal added to or removed from a contact can move its stage. HubSpot fires once per
        // direction, so the contact is in fromObjectId (contact to deal) or in toObjectId (deal to contact).
        var from = e.FromObjectTypeId;
        var to = e.ToObjectTypeId;
        if (!IsType(from, ContactTypeId) && !IsType(to, ContactTypeId))
        {
            return OtherObjectType(key, type);
        }

        return (IsType(from, ContactTypeId), IsType(to, DealTypeId), IsType(from, DealTypeId), IsType(to, ContactTypeId)) switch
        {
            (true, true, _, _) => EvaluateObject(key, type, e.FromObjectId),
            (_, _, true, true) => EvaluateObject(key, type, e.ToObjectId),
            _ => Irrelevant(key, type),
        };

        static bool IsType(string? typeId, string expected) => string.Equals(typeId, expected, StringComparison.Ordinal);
    }

    private static TriagedEvent OtherObjectType(UInt128 key, string type) => new(key, WebhookEventDisposition.IgnoredOtherObjectType, [], type);

    private bool IsOwnWrite(string? sourceId)
    {
        if (string.IsNullOrEmpty(sourceId) || ownAppIds.Count == 0)
        {
            return false;
        }

        foreach (var appId in ownAppIds)
        {
            // HubSpot reports an app's writes with its app id as source id, sometimes with a kind prefix ("app:123").
            if (sourceId.Equals(appId, StringComparison.Ordinal)
                || (sourceId.EndsWith(appId, StringComparison.Ordinal) && sourceId.Length > appId.Length && sourceId[^(appId.Length + 1)] == ':'))
            {
                return true;
            }
        }

        return false;
    }

    private static TriagedEvent EvaluateObject(UInt128 key, string type, long? objectId) => objectId is { } id
        ? new TriagedEvent(key, WebhookEventDisposition.Evaluate, [Id(id)], type)
        : Irrelevant(key, type);

    private static TriagedEvent Irrelevant(UInt128 key, string type) => new(key, WebhookEventDisposition.IgnoredIrrelevant, [], type);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
