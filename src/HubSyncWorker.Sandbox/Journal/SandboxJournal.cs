using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HubSyncWorker.Sandbox.Auth;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Journal;

/// <summary>One journal entry: its offset and the file a pre-signed URL serves.</summary>
internal sealed record JournalEntry(long Sequence, string Offset, DateTimeOffset CreatedAt, byte[] File, int EventCount);

/// <summary>
/// The portal's Webhooks Journal: every contact change the store publishes that a subscription covers becomes an event; the events of
/// one change (one API call or user action) form one entry with the next offset. Entries older than
/// <see cref="SandboxJournalOptions.Retention"/> on the sandbox clock are gone, and so is their offset. Thread-safe.
/// </summary>
public sealed class SandboxJournal
{
    private const string ContactTypeId = "0-1";
    private const string DealTypeId = "0-3";

    private readonly Lock _lock = new();
    private readonly List<JournalEntry> _entries = [];
    private readonly Dictionary<long, SandboxJournalSubscription> _subscriptions = [];
    private readonly SandboxOptions _options;
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private long _lastSequence;
    private long _lastSubscriptionId;
    private int _eventCount;

    internal SandboxJournal(SandboxOptions options, PropertyCatalog catalog)
    {
        options.Journal.Validate();
        _options = options;
        Catalog = catalog;
        Credentials = new SandboxClientCredentials(options.Journal, options.TimeProvider);
    }

    /// <summary>Entries still retained.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Prune();
                return _entries.Count;
            }
        }
    }

    /// <summary>Events journaled since the start (retained or not).</summary>
    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _eventCount;
            }
        }
    }

    /// <summary>The newest entry's offset, or null before the first.</summary>
    public string? LatestOffset
    {
        get
        {
            lock (_lock)
            {
                return _lastSequence == 0 ? null : FormatOffset(_lastSequence);
            }
        }
    }

    /// <summary>The oldest retained entry's offset, or null when none is retained.</summary>
    public string? EarliestOffset
    {
        get
        {
            lock (_lock)
            {
                Prune();
                return _entries.Count == 0 ? null : _entries[0].Offset;
            }
        }
    }

    /// <summary>The app's journal subscriptions, by id.</summary>
    public IReadOnlyList<SandboxJournalSubscription> Subscriptions
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscriptions.Values.OrderBy(s => s.Id)];
            }
        }
    }

    /// <summary>How many client-credentials tokens the token endpoint issued.</summary>
    public int TokensIssued => Credentials.Issued;

    internal SandboxClientCredentials Credentials { get; }

    internal PropertyCatalog Catalog { get; }

    /// <summary>How long a pre-signed file URL is accepted.</summary>
    internal TimeSpan FileUrlLifetime => _options.Journal.FileUrlLifetime;

    /// <summary>The offset HubSpot-like clients see: opaque, UUID-shaped, ascending.</summary>
    internal static string FormatOffset(long sequence) => string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{sequence:x12}");

    internal static long? ParseOffset(string offset) =>
        offset.Length == 36 && offset.StartsWith("00000000-0000-4000-8000-", StringComparison.Ordinal)
        && long.TryParse(offset.AsSpan(24), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
            ? sequence
            : null;

    /// <summary>Creates or updates the subscription of the same type, object type and portal (an upsert, as HubSpot's POST is).</summary>
    internal (SandboxJournalSubscription Subscription, bool Changed) Upsert(SandboxJournalSubscription wanted)
    {
        var now = _options.TimeProvider.GetUtcNow();
        lock (_lock)
        {
            var existing = _subscriptions.Values.FirstOrDefault(s =>
                s.SubscriptionType == wanted.SubscriptionType && s.ObjectTypeId == wanted.ObjectTypeId && s.PortalId == wanted.PortalId);
            if (existing is not null && existing.SameAs(wanted))
            {
                return (existing, false);
            }

            var stored = existing is null
                ? wanted with { Id = ++_lastSubscriptionId, CreatedAt = now, UpdatedAt = now }
                : wanted with { Id = existing.Id, CreatedAt = existing.CreatedAt, UpdatedAt = now };
            _subscriptions[stored.Id] = stored;
            return (stored, true);
        }
    }

    internal SandboxJournalSubscription? FindSubscription(long id)
    {
        lock (_lock)
        {
            return _subscriptions.GetValueOrDefault(id);
        }
    }

    internal bool DeleteSubscription(long id)
    {
        lock (_lock)
        {
            return _subscriptions.Remove(id);
        }
    }

    /// <summary>The entries after <paramref name="offset"/> (at most <paramref name="count"/>); null when the offset expired or never existed.</summary>
    internal IReadOnlyList<JournalEntry>? After(string offset, int count)
    {
        lock (_lock)
        {
            Prune();
            if (ParseOffset(offset) is not { } sequence || sequence > _lastSequence || _entries.Count == 0 || sequence < _entries[0].Sequence)
            {
                return null;
            }

            var start = (int)(sequence - _entries[0].Sequence) + 1;
            return _entries.GetRange(start, Math.Min(count, _entries.Count - start));
        }
    }

    /// <summary>The oldest (or newest) <paramref name="count"/> retained entries, in offset order.</summary>
    internal IReadOnlyList<JournalEntry> Edge(bool earliest, int count)
    {
        lock (_lock)
        {
            Prune();
            var take = Math.Min(count, _entries.Count);
            return _entries.GetRange(earliest ? 0 : _entries.Count - take, take);
        }
    }

    /// <summary>The retained entry of <paramref name="offset"/>, or null.</summary>
    internal JournalEntry? Find(string offset)
    {
        lock (_lock)
        {
            Prune();
            if (ParseOffset(offset) is not { } sequence || _entries.Count == 0 || sequence < _entries[0].Sequence || sequence > _lastSequence)
            {
                return null;
            }

            return _entries[(int)(sequence - _entries[0].Sequence)];
        }
    }

    /// <summary>The signature of a file URL: HMAC-SHA256 over the offset and the expiry, with a key only this sandbox knows.</summary>
    internal string Sign(string offset, long expiresUnixSeconds) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{offset}\n{expiresUnixSeconds}"))));

    /// <summary>Journals the changes the subscriptions cover as one entry (none when nothing is covered).</summary>
    internal void Append(IReadOnlyList<ContactChange> changes)
    {
        lock (_lock)
        {
            Prune();
            if (_subscriptions.Count == 0)
            {
                return;
            }

            var events = new List<Action<Utf8JsonWriter>>();
            var created = changes.Where(c => c.SubscriptionType == "contact.creation").Select(c => c.ObjectId).ToHashSet();
            foreach (var change in changes)
            {
                AddEvents(events, change, changes);
            }

            foreach (var (objectId, values) in PropertyChangesByObject(changes, created))
            {
                AddObjectEvent(events, "UPDATE", objectId, values.First, values.Changes);
            }

            if (events.Count == 0)
            {
                return;
            }

            var sequence = ++_lastSequence;
            var offset = FormatOffset(sequence);
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("offset", offset);
                json.WriteStartArray("journalEvents");
                foreach (var write in events)
                {
                    write(json);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            _entries.Add(new JournalEntry(sequence, offset, _options.TimeProvider.GetUtcNow(), buffer.WrittenSpan.ToArray(), events.Count));
            _eventCount += events.Count;
        }
    }

    private void AddEvents(List<Action<Utf8JsonWriter>> events, ContactChange change, IReadOnlyList<ContactChange> all)
    {
        switch (change.SubscriptionType)
        {
            case "contact.creation":
                // The values a contact is created with travel on its CREATE event, not as UPDATEs.
                var initial = all.Where(c => c.SubscriptionType == "contact.propertyChange" && c.ObjectId == change.ObjectId).ToList();
                AddObjectEvent(events, "CREATE", change.ObjectId, change, initial);
                break;
            case "contact.deletion":
                AddObjectEvent(events, "DELETE", change.ObjectId, change, []);
                break;
            case "contact.restore":
                AddObjectEvent(events, "RESTORE", change.ObjectId, change, []);
                break;
            case "contact.merge":
                AddObjectEvent(events, "MERGE", change.ObjectId, change, [], json =>
                {
                    json.WriteNumber("primaryObjectId", change.PrimaryObjectId ?? change.ObjectId);
                    json.WriteStartArray("mergedObjectIds");
                    foreach (var merged in change.MergedObjectIds ?? [])
                    {
                        json.WriteNumberValue(merged);
                    }

                    json.WriteEndArray();
                    json.WriteNumber("newObjectId", change.NewObjectId ?? change.ObjectId);
                });
                break;
            case "contact.privacyDeletion":
                AddEvent(events, "GDPR_PRIVACY_DELETION", "GDPR_DELETE", change, null);
                break;
            case "contact.associationChange" when change.AssociationType == "CONTACT_TO_DEAL":
                var action = change.AssociationRemoved == true ? "ASSOCIATION_REMOVED" : "ASSOCIATION_ADDED";
                AddEvent(events, "ASSOCIATION", action, change, json =>
                {
                    json.WriteString("associatedObjectTypeId", DealTypeId);
                    json.WriteNumber("associatedObjectId", change.ToObjectId ?? 0);

                    // HubSpot-defined association type 4: contact to deal.
                    json.WriteNumber("associationTypeId", 4);
                    json.WriteString("associationCategory", "HUBSPOT_DEFINED");
                });
                break;
            default:
                // Property changes are grouped per object (PropertyChangesByObject); the deal-to-contact half of an association is the same fact.
                break;
        }
    }

    private static IEnumerable<(long ObjectId, (ContactChange First, List<ContactChange> Changes) Values)> PropertyChangesByObject(
        IReadOnlyList<ContactChange> changes, HashSet<long> created) =>
        changes.Where(c => c.SubscriptionType == "contact.propertyChange" && !created.Contains(c.ObjectId))
            .GroupBy(c => c.ObjectId)
            .Select(g => (g.Key, (g.First(), g.ToList())));

    private void AddObjectEvent(List<Action<Utf8JsonWriter>> events, string action, long objectId, ContactChange change, List<ContactChange> values,
        Action<Utf8JsonWriter>? extra = null)
    {
        var subscription = Subscription("OBJECT", action, objectId);
        if (subscription is null)
        {
            return;
        }

        var subscribed = values.Where(v => subscription.Properties.Count == 0 || subscription.Properties.Contains(v.PropertyName!, StringComparer.Ordinal)).ToList();
        if (action == "UPDATE" && subscribed.Count == 0)
        {
            return;
        }

        events.Add(json =>
        {
            WriteHead(json, subscription, action, objectId, change);
            if (action is "CREATE" or "UPDATE")
            {
                json.WriteStartObject("propertyChanges");
                foreach (var value in subscribed)
                {
                    json.WriteString(value.PropertyName!, value.PropertyValue);
                }

                json.WriteEndObject();
            }

            extra?.Invoke(json);
            json.WriteEndObject();
        });
    }

    private void AddEvent(List<Action<Utf8JsonWriter>> events, string subscriptionType, string action, ContactChange change, Action<Utf8JsonWriter>? extra)
    {
        if (Subscription(subscriptionType, action, change.ObjectId) is not { } subscription)
        {
            return;
        }

        events.Add(json =>
        {
            WriteHead(json, subscription, action, change.ObjectId, change);
            extra?.Invoke(json);
            json.WriteEndObject();
        });
    }

    private SandboxJournalSubscription? Subscription(string subscriptionType, string action, long objectId) =>
        _subscriptions.Values.FirstOrDefault(s => s.SubscriptionType == subscriptionType && s.ObjectTypeId == ContactTypeId && s.Covers(action, objectId)
            && (subscriptionType != "ASSOCIATION" || s.AssociatedObjectTypeIds.Contains(DealTypeId, StringComparer.Ordinal)));

    private void WriteHead(Utf8JsonWriter json, SandboxJournalSubscription subscription, string action, long objectId, ContactChange change)
    {
        json.WriteStartObject();
        json.WriteNumber("subscriptionId", subscription.Id);
        json.WriteNumber("portalId", _options.PortalId);
        json.WriteNumber("appId", _options.AppId);
        json.WriteString("objectTypeId", ContactTypeId);
        json.WriteNumber("objectId", objectId);
        json.WriteString("action", action);
        json.WriteString("occurredAt", HubSpotJson.Iso(change.OccurredAt));
        json.WriteString("changeSource", change.ChangeSource);
        if (change.SourceId is not null)
        {
            json.WriteString("sourceId", change.SourceId);
        }
    }

    private void Prune()
    {
        var horizon = _options.TimeProvider.GetUtcNow() - _options.Journal.Retention;
        var expired = 0;
        while (expired < _entries.Count && _entries[expired].CreatedAt < horizon)
        {
            expired++;
        }

        if (expired > 0)
        {
            _entries.RemoveRange(0, expired);
        }
    }
}
