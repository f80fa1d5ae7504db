using System.Globalization;
using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>
/// The portal's contacts: thread-safe (one lock; every contact state is an immutable snapshot, so copies are cheap),
/// ids assigned in ascending order from 1, stored in a list indexed by id so list paging is a slice.
/// Datetime properties are stored as HubSpot returns them (ISO-8601 UTC with milliseconds) together with their epoch-ms
/// reading, which search compares and sorts on.
/// </summary>
public sealed partial class SandboxContactStore
{
    /// <summary>A seed contact ready to import: normalized values, and the moments given (null: the import's moment).</summary>
    private sealed record PreparedSeed(
        Dictionary<string, string> Initial, List<Dictionary<string, string>> Later, DateTimeOffset? CreatedAt, IReadOnlyList<DateTimeOffset>? LaterAt);

    private static readonly string[] DefaultOutputProperties = ["hs_object_id", "createdate", "lastmodifieddate"];
    private static readonly StoredValue ZeroDeals = new("0", 0);

    // Values only the sandbox itself maintains; other read-only (calculated) values, like notes_last_contacted,
    // may be set by UpdateAsUser to simulate the activity HubSpot would compute them from.
    private static readonly HashSet<string> SystemManaged = new(StringComparer.Ordinal) { "hs_object_id", "lastmodifieddate", "num_associated_deals" };

    private readonly Lock _lock = new();
    private readonly List<ContactRecord?> _records = [];
    private readonly Queue<(DateTimeOffset VisibleAt, ContactRecord Record, ContactState State)> _pendingIndex = new();
    private readonly PropertyCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly TimeSpan _indexLag;
    private readonly Action<IReadOnlyList<ContactChange>> _publish;
    private readonly SandboxStats _stats;
    private SortKey[] _sortBuffer = [];
    private int _activeCount;

    internal SandboxContactStore(PropertyCatalog catalog, TimeProvider time, TimeSpan indexLag, SandboxStats stats, Action<IReadOnlyList<ContactChange>> publish)
    {
        _catalog = catalog;
        _time = time;
        _indexLag = indexLag;
        _stats = stats;
        _publish = publish;
    }

    /// <summary>Contacts that are neither deleted nor merged away.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _activeCount;
            }
        }
    }

    /// <summary>
    /// Creates a contact and returns its id. Values are validated like API writes (unknown property or invalid value: <see cref="ArgumentException"/>).
    /// <paramref name="origin"/> defaults to <see cref="ChangeOrigin.Seed"/> (no webhooks).
    /// </summary>
    public string AddContact(IReadOnlyDictionary<string, string?> properties, ChangeOrigin? origin = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        origin ??= ChangeOrigin.Seed;
        var values = Normalize(properties);
        var now = _time.GetUtcNow();
        var changes = new List<ContactChange>();
        long id;
        lock (_lock)
        {
            var record = Create(values, now, origin);
            id = record.Id;
            Publish(record, now);
            if (origin.SendWebhooks)
            {
                changes.Add(new ContactChange("contact.creation", id, now, origin.ChangeSource, origin.SourceId, "NEW"));
                changes.AddRange(values.Select(v => PropertyChange(id, now, origin, v.Key, v.Value)));
            }
        }

        Emit(changes);
        return id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Imports contacts in bulk (one lock for all, no webhooks): each is created with its initial values, then each set of later values
    /// becomes a new version of the values it changes, as if written one after the other, at <see cref="SeedContact.LaterTimestamps"/> when
    /// given (else at the moment of the import). Validated like <see cref="AddContact"/>; timestamps out of order, before the creation or after
    /// the import: <see cref="ArgumentException"/>. The stage dates follow each <c>lifecyclestage</c> version. Returns the ids in input order.
    /// </summary>
    public List<string> AddContacts(IReadOnlyList<SeedContact> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var now = _time.GetUtcNow();
        var normalized = contacts.Select(c => Prepare(c, now)).ToList();
        var ids = new List<string>(contacts.Count);
        lock (_lock)
        {
            foreach (var contact in normalized)
            {
                var record = Create(contact.Initial, now, ChangeOrigin.Seed, contact.CreatedAt, contact.Later.Count == 0 ? contact.CreatedAt : null);
                if (contact.Later.Count > 0)
                {
                    var values = new Dictionary<string, StoredValue>(record.Current.Values, StringComparer.Ordinal);
                    var modifiedAt = now;
                    for (var n = 0; n < contact.Later.Count; n++)
                    {
                        var at = contact.LaterAt?[n] ?? now;
                        var stageBefore = StageOf(values);
                        foreach (var (name, value) in contact.Later[n])
                        {
                            if (!values.TryGetValue(name, out var current) || current.Text != value)
                            {
                                values[name] = Store(name, value);
                                Append(record, name, value, at, ChangeOrigin.Seed);
                            }
                        }

                        TrackStage(record, values, stageBefore, StageOf(values), at);
                        modifiedAt = at;
                    }

                    values["lastmodifieddate"] = new StoredValue(PropertyCatalog.FormatDateTime(modifiedAt), modifiedAt.ToUnixTimeMilliseconds());
                    record.Current = new ContactState(values, modifiedAt, Archived: false);
                }

                Publish(record, now);
                ids.Add(record.Id.ToString(CultureInfo.InvariantCulture));
            }
        }

        return ids;
    }

    /// <summary>A copy of the contact, or null when the id never existed or was privacy-deleted.</summary>
    public SandboxContact? GetContact(string id)
    {
        lock (_lock)
        {
            if (Find(id) is not { } record)
            {
                return null;
            }

            return new SandboxContact(
                record.Id.ToString(CultureInfo.InvariantCulture),
                record.Current.Values.ToDictionary(v => v.Key, v => v.Value.Text, StringComparer.Ordinal),
                record.CreatedAt,
                record.Current.UpdatedAt,
                record.Current.Archived,
                record.MergedInto?.ToString(CultureInfo.InvariantCulture),
                [.. record.Deals]);
        }
    }

    /// <summary>The versions of one property, newest first (empty when it never had a value).</summary>
    public IReadOnlyList<SandboxPropertyVersion> GetHistory(string id, string propertyName)
    {
        lock (_lock)
        {
            return Find(id)?.History(propertyName) ?? [];
        }
    }

    /// <summary>
    /// Simulates a person changing the contact in HubSpot (UI, form, import): fires one <c>contact.propertyChange</c> per changed value.
    /// Unlike API writes, a person may move <c>lifecyclestage</c> backwards, and calculated values such as <c>notes_last_contacted</c> may be set
    /// (standing for the activity HubSpot computes them from). False when the contact does not exist or is archived.
    /// </summary>
    public bool UpdateAsUser(string id, IReadOnlyDictionary<string, string?> properties, string sourceId = "userId:1", string changeSource = "CRM_UI")
    {
        ArgumentNullException.ThrowIfNull(properties);
        var input = new ContactWrite(id, properties, null);
        var outcome = Write([input], new ChangeOrigin(changeSource, sourceId), asIntegration: false)[0];
        return outcome.Status switch
        {
            WriteStatus.Invalid => throw new ArgumentException(string.Join("; ", outcome.Errors!.Select(e => $"{e.Name}: {e.Message}")), nameof(properties)),
            WriteStatus.Changed or WriteStatus.Unchanged => true,
            _ => false,
        };
    }

    /// <summary>Archives the contact (restorable); fires <c>contact.deletion</c>.</summary>
    public bool Delete(string id, ChangeOrigin? origin = null) => SetArchived(id, archived: true, origin ?? ChangeOrigin.User());

    /// <summary>Restores an archived contact; fires <c>contact.restore</c>.</summary>
    public bool Restore(string id, ChangeOrigin? origin = null) => SetArchived(id, archived: false, origin ?? ChangeOrigin.User());

    /// <summary>Erases the contact for good (GDPR); fires <c>contact.privacyDeletion</c>.</summary>
    public bool PrivacyDelete(string id, ChangeOrigin? origin = null)
    {
        origin ??= ChangeOrigin.User();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (Find(id) is not { } record)
            {
                return false;
            }

            if (!record.Current.Archived)
            {
                _activeCount--;
            }

            _records[(int)record.Id - 1] = null;
        }

        if (origin.SendWebhooks)
        {
            Emit([new ContactChange("contact.privacyDeletion", long.Parse(id, CultureInfo.InvariantCulture), now, origin.ChangeSource, origin.SourceId, "DELETED")]);
        }

        return true;
    }

    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="primaryId"/>: the primary keeps its id and values, gains the values it lacked
    /// and the merged contact's deals; the merged id disappears from list, search and batch read. Fires <c>contact.merge</c>.
    /// </summary>
    public bool Merge(string primaryId, string mergedId, ChangeOrigin? origin = null)
    {
        origin ??= ChangeOrigin.User();
        var now = _time.GetUtcNow();
        var changes = new List<ContactChange>();
        lock (_lock)
        {
            if (primaryId == mergedId || Find(primaryId) is not { Current.Archived: false } primary || Find(mergedId) is not { Current.Archived: false } merged)
            {
                return false;
            }

            var values = new Dictionary<string, StoredValue>(primary.Current.Values, StringComparer.Ordinal);
            var stageBefore = StageOf(values);
            foreach (var (name, value) in merged.Current.Values)
            {
                // The merged contact's stage dates describe its own path, not the primary's: the primary's follow its own lifecyclestage.
                if (!values.ContainsKey(name) && !PropertyCatalog.IsStageDate(name))
                {
                    values[name] = value;
                    Append(primary, name, value.Text, now, origin);
                }
            }

            TrackStage(primary, values, stageBefore, StageOf(values), now);

            primary.AddDeals(merged.Deals);
            values["num_associated_deals"] = new StoredValue(primary.Deals.Count.ToString(CultureInfo.InvariantCulture), primary.Deals.Count);
            values["lastmodifieddate"] = Store("lastmodifieddate", PropertyCatalog.FormatDateTime(now));
            primary.Current = new ContactState(values, now, Archived: false);
            merged.MergedInto = primary.Id;
            merged.Current = merged.Current with { Archived = true, UpdatedAt = now };
            _activeCount--;
            Publish(primary, now);
            Publish(merged, now);
            if (origin.SendWebhooks)
            {
                changes.Add(new ContactChange("contact.merge", primary.Id, now, origin.ChangeSource, origin.SourceId, "MERGED",
                    PrimaryObjectId: primary.Id, MergedObjectIds: [merged.Id], NewObjectId: primary.Id));
            }
        }

        Emit(changes);
        return true;
    }

    /// <summary>Associates a deal (updates <c>num_associated_deals</c>); fires <c>contact.associationChange</c> once per direction.</summary>
    public bool AssociateDeal(string contactId, long dealId, ChangeOrigin? origin = null) => ChangeDeal(contactId, dealId, remove: false, origin ?? ChangeOrigin.User());

    /// <summary>Removes a deal association; fires <c>contact.associationChange</c> with <c>associationRemoved</c> once per direction.</summary>
    public bool RemoveDealAssociation(string contactId, long dealId, ChangeOrigin? origin = null) => ChangeDeal(contactId, dealId, remove: true, origin ?? ChangeOrigin.User());

    /// <summary>The properties a record carries in responses: the requested ones (null when unset) plus HubSpot's defaults.</summary>
    internal static IEnumerable<string> OutputProperties(IReadOnlyCollection<string>? requested) =>
        requested is null || requested.Count == 0
            ? ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"]
            : requested.Concat(DefaultOutputProperties).Distinct(StringComparer.Ordinal);

    private static ContactChange PropertyChange(long id, DateTimeOffset now, ChangeOrigin origin, string name, string value) =>
        new("contact.propertyChange", id, now, origin.ChangeSource, origin.SourceId, "UPDATED", name, value);

    private static void Append(ContactRecord record, string name, string value, DateTimeOffset now, ChangeOrigin origin)
    {
        record.Append(name, new SandboxPropertyVersion(value, now, origin.ChangeSource, origin.SourceId));
    }

    private static ContactView View(ContactRecord record, ContactState state, IReadOnlyCollection<string> historyFor, bool withDeals)
    {
        Dictionary<string, SandboxPropertyVersion[]>? history = null;
        if (historyFor.Count > 0)
        {
            history = new Dictionary<string, SandboxPropertyVersion[]>(StringComparer.Ordinal);
            foreach (var name in historyFor)
            {
                history[name] = record.History(name);
            }
        }

        return new ContactView(record.Id, record.CreatedAt, state, history, withDeals ? [.. record.Deals] : null);
    }

    private StoredValue Store(string name, string value) => new(value, PropertyCatalog.NumericValue(_catalog.Find(name), value));

    /// <summary>Makes a new state visible to search now, or after the index lag.</summary>
    private void Publish(ContactRecord record, DateTimeOffset now)
    {
        if (_indexLag == TimeSpan.Zero)
        {
            record.Indexed = record.Current;
        }
        else
        {
            _pendingIndex.Enqueue((now + _indexLag, record, record.Current));
            PromoteIndexed(now);
        }
    }

    /// <summary>Makes every pending state whose lag has passed visible to search (also run on writes, so the queue stays short).</summary>
    private void PromoteIndexed(DateTimeOffset now)
    {
        while (_pendingIndex.TryPeek(out var pending) && pending.VisibleAt <= now)
        {
            _pendingIndex.Dequeue();
            pending.Record.Indexed = pending.State;
        }
    }

    /// <summary>Validated, normalized, non-empty values of a new contact (unknown property or invalid value: <see cref="ArgumentException"/>).</summary>
    private Dictionary<string, string> Normalize(IReadOnlyDictionary<string, string?> properties)
    {
        var values = new Dictionary<string, string>(properties.Count, StringComparer.Ordinal);
        foreach (var (name, raw) in properties)
        {
            var definition = _catalog.Find(name) ?? throw new ArgumentException($"Property '{name}' does not exist.", nameof(properties));
            if (PropertyCatalog.IsStageDate(name))
            {
                throw new ArgumentException($"Property '{name}' is calculated from lifecyclestage and cannot be set; give the lifecyclestage versions timestamps instead.", nameof(properties));
            }

            if (!PropertyCatalog.TryNormalize(definition, raw ?? "", out var normalized, out var error))
            {
                throw new ArgumentException($"Property '{name}': {error}", nameof(properties));
            }

            if (normalized.Length > 0)
            {
                values[name] = normalized;
            }
        }

        return values;
    }

    /// <summary>
    /// Creates and stores the record of a new contact (not yet published to search); the caller holds the lock. Created at
    /// <paramref name="createdAt"/>, else at the <c>createdate</c> value, else now; last modified at <paramref name="modifiedAt"/>, else now.
    /// </summary>
    private ContactRecord Create(Dictionary<string, string> values, DateTimeOffset now, ChangeOrigin origin, DateTimeOffset? createdAt = null, DateTimeOffset? modifiedAt = null)
    {
        var id = _records.Count + 1L;
        var created = createdAt ?? CreateDate(values) ?? now;
        var modified = modifiedAt ?? now;
        var stored = new Dictionary<string, StoredValue>(values.Count + 5, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            stored[name] = Store(name, value);
        }

        stored["hs_object_id"] = new StoredValue(id.ToString(CultureInfo.InvariantCulture), id);
        stored["createdate"] = new StoredValue(PropertyCatalog.FormatDateTime(created), created.ToUnixTimeMilliseconds());
        stored["lastmodifieddate"] = new StoredValue(PropertyCatalog.FormatDateTime(modified), modified.ToUnixTimeMilliseconds());
        stored["num_associated_deals"] = ZeroDeals;
        if (StageOf(stored) is { Length: > 0 } stage && _catalog.Find(PropertyCatalog.DateEnteredProperty(stage)) is not null)
        {
            // The creation values are the first history version (at the creation moment), so the entry date needs no version of its own.
            stored[PropertyCatalog.DateEnteredProperty(stage)] = new StoredValue(PropertyCatalog.FormatDateTime(created), created.ToUnixTimeMilliseconds());
        }

        var record = new ContactRecord(id, created, new ContactState(stored, modified, Archived: false), origin);
        _records.Add(record);
        _activeCount++;
        return record;
    }

    private static DateTimeOffset? CreateDate(Dictionary<string, string> values) =>
        values.TryGetValue("createdate", out var created) && PropertyCatalog.TryParseInstant(created, out var instant) ? instant : null;

    private static string StageOf(IReadOnlyDictionary<string, StoredValue> values) =>
        values.TryGetValue(PropertyCatalog.LifecycleProperty, out var stage) ? stage.Text : "";

    /// <summary>
    /// HubSpot's stage dates for a <c>lifecyclestage</c> change at <paramref name="at"/>: the stage left gets its exit date, the stage entered its
    /// entry date (overwriting an earlier entry: a re-entered stage holds its latest entry); stages skipped get nothing. Each is a CALCULATED version.
    /// </summary>
    private void TrackStage(ContactRecord record, Dictionary<string, StoredValue> values, string previous, string next, DateTimeOffset at)
    {
        if (previous == next)
        {
            return;
        }

        if (previous.Length > 0)
        {
            SetCalculated(record, values, PropertyCatalog.DateExitedProperty(previous), at);
        }

        if (next.Length > 0)
        {
            SetCalculated(record, values, PropertyCatalog.DateEnteredProperty(next), at);
        }
    }

    private void SetCalculated(ContactRecord record, Dictionary<string, StoredValue> values, string name, DateTimeOffset at)
    {
        if (_catalog.Find(name) is null)
        {
            return;
        }

        var text = PropertyCatalog.FormatDateTime(at);
        values[name] = new StoredValue(text, at.ToUnixTimeMilliseconds());
        Append(record, name, text, at, ChangeOrigin.Calculated);
    }

    /// <summary>A seed contact validated and normalized outside the lock, with its creation moment and its versions' moments checked.</summary>
    private PreparedSeed Prepare(SeedContact contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var initial = Normalize(contact.Initial);
        var later = contact.LaterValues.Select(Normalize).ToList();
        if (contact.LaterTimestamps is not { } timestamps)
        {
            return contact.CreatedAt > now
                ? throw new ArgumentException($"A seed contact's creation {contact.CreatedAt:O} is after the import ({now:O}).", nameof(contact))
                : new PreparedSeed(initial, later, contact.CreatedAt, null);
        }

        if (timestamps.Count != later.Count)
        {
            throw new ArgumentException($"A seed contact has {later.Count} sets of later values but {timestamps.Count} timestamps.", nameof(contact));
        }

        var previous = contact.CreatedAt ?? CreateDate(initial) ?? now;
        if (previous > now)
        {
            throw new ArgumentException($"A seed contact's creation {previous:O} is after the import ({now:O}).", nameof(contact));
        }

        foreach (var at in timestamps)
        {
            if (at < previous || at > now)
            {
                throw new ArgumentException($"A seed contact's timestamp {at:O} is before the creation or the version before it ({previous:O}), or after the import ({now:O}).", nameof(contact));
            }

            previous = at;
        }

        return new PreparedSeed(initial, later, contact.CreatedAt, timestamps);
    }

    private ContactRecord? Find(string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > _records.Count)
        {
            return null;
        }

        return _records[(int)number - 1];
    }

    private bool SetArchived(string id, bool archived, ChangeOrigin origin)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (Find(id) is not { MergedInto: null } record || record.Current.Archived == archived)
            {
                return false;
            }

            record.Current = record.Current with { Archived = archived, UpdatedAt = now };
            _activeCount += archived ? -1 : 1;
            Publish(record, now);
        }

        if (origin.SendWebhooks)
        {
            Emit([new ContactChange(archived ? "contact.deletion" : "contact.restore", long.Parse(id, CultureInfo.InvariantCulture), now,
                origin.ChangeSource, origin.SourceId, archived ? "DELETED" : "RESTORED")]);
        }

        return true;
    }

    private bool ChangeDeal(string contactId, long dealId, bool remove, ChangeOrigin origin)
    {
        var now = _time.GetUtcNow();
        var changes = new List<ContactChange>();
        lock (_lock)
        {
            if (Find(contactId) is not { Current.Archived: false } record || (remove ? !record.RemoveDeal(dealId) : !record.AddDeal(dealId)))
            {
                return false;
            }

            var count = record.Deals.Count.ToString(CultureInfo.InvariantCulture);
            var values = new Dictionary<string, StoredValue>(record.Current.Values, StringComparer.Ordinal)
            {
                ["num_associated_deals"] = new StoredValue(count, record.Deals.Count),
                ["lastmodifieddate"] = Store("lastmodifieddate", PropertyCatalog.FormatDateTime(now)),
            };
            var calculated = new ChangeOrigin("CALCULATED", null, origin.SendWebhooks);
            Append(record, "num_associated_deals", count, now, calculated);
            record.Current = new ContactState(values, now, Archived: false);
            Publish(record, now);
            if (origin.SendWebhooks)
            {
                changes.Add(new ContactChange("contact.associationChange", record.Id, now, origin.ChangeSource, origin.SourceId, null,
                    AssociationType: "CONTACT_TO_DEAL", FromObjectId: record.Id, ToObjectId: dealId, AssociationRemoved: remove));
                changes.Add(new ContactChange("contact.associationChange", record.Id, now, origin.ChangeSource, origin.SourceId, null,
                    AssociationType: "DEAL_TO_CONTACT", FromObjectId: dealId, ToObjectId: record.Id, AssociationRemoved: remove));
                changes.Add(PropertyChange(record.Id, now, calculated, "num_associated_deals", count));
            }
        }

        Emit(changes);
        return true;
    }

    private void Emit(List<ContactChange> changes)
    {
        if (changes.Count > 0)
        {
            _publish(changes);
        }
    }
}
