using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>Who made a change: becomes the history <c>sourceType</c>/<c>sourceId</c> and the webhook <c>changeSource</c>/<c>sourceId</c>.</summary>
/// <param name="ChangeSource">HubSpot change source (<c>CRM_UI</c>, <c>FORM</c>, <c>IMPORT</c>, <c>INTEGRATION</c>, ...).</param>
/// <param name="SourceId">E.g. <c>userId:123</c>, a form id, or the app id for API writes.</param>
/// <param name="SendWebhooks">False to change data silently (bulk seeding before a test).</param>
public sealed record ChangeOrigin(string ChangeSource, string? SourceId, bool SendWebhooks = true)
{
    /// <summary>Seeding: recorded as an import, sends no webhooks.</summary>
    public static ChangeOrigin Seed { get; } = new("IMPORT", "sandbox-seed", SendWebhooks: false);

    /// <summary>HubSpot itself, recomputing a calculated value (stage dates, <c>num_associated_deals</c>); sends no webhooks.</summary>
    public static ChangeOrigin Calculated { get; } = new("CALCULATED", null, SendWebhooks: false);

    /// <summary>A salesperson editing the record in HubSpot's UI.</summary>
    public static ChangeOrigin User(long userId = 1) => new("CRM_UI", $"userId:{userId}");

    /// <summary>A form submission.</summary>
    public static ChangeOrigin Form(string formId) => new("FORM", formId);
}

/// <summary>One version of a property value, as <c>propertiesWithHistory</c> reports it.</summary>
public sealed record SandboxPropertyVersion(string Value, DateTimeOffset Timestamp, string SourceType, string? SourceId);

/// <summary>A copy of a contact at one moment, for seeding checks and test assertions.</summary>
/// <param name="Id">The record id.</param>
/// <param name="Properties">Current values (no empty values).</param>
/// <param name="CreatedAt">Creation instant.</param>
/// <param name="UpdatedAt">Last change instant (also <c>lastmodifieddate</c>).</param>
/// <param name="Archived">True after <see cref="SandboxContactStore.Delete"/> or when merged away.</param>
/// <param name="MergedInto">The primary id when this contact was merged into another.</param>
/// <param name="DealIds">Associated deal ids.</param>
public sealed record SandboxContact(
    string Id,
    IReadOnlyDictionary<string, string> Properties,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Archived,
    string? MergedInto,
    IReadOnlyList<long> DealIds);

/// <summary>A stored value with its numeric reading (epoch ms for dates) precomputed for search.</summary>
internal readonly record struct StoredValue(string Text, double? Number);

/// <summary>An immutable state of a contact; every change publishes a new one, so search can index old states.</summary>
internal sealed record ContactState(IReadOnlyDictionary<string, StoredValue> Values, DateTimeOffset UpdatedAt, bool Archived);

/// <summary>
/// The mutable record behind a contact; guarded by the store's lock. Kept small because benchmarks hold a million of them:
/// the creation values double as the first history version (no copy), later versions and deals are allocated on first use.
/// </summary>
internal sealed class ContactRecord(long id, DateTimeOffset createdAt, ContactState state, ChangeOrigin createdBy)
{
    // System-maintained values whose history the sandbox does not report.
    private static readonly HashSet<string> UnversionedNames = new(StringComparer.Ordinal) { "hs_object_id", "lastmodifieddate", "num_associated_deals" };

    private readonly IReadOnlyDictionary<string, StoredValue> _initialValues = state.Values;
    private Dictionary<string, List<SandboxPropertyVersion>>? _changes;
    private SortedSet<long>? _deals;

    public long Id { get; } = id;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public ContactState Current { get; set; } = state;

    /// <summary>The state search sees (lags behind <see cref="Current"/> when an index lag is configured); null until indexed.</summary>
    public ContactState? Indexed { get; set; }

    public long? MergedInto { get; set; }

    public IReadOnlyCollection<long> Deals => (IReadOnlyCollection<long>?)_deals ?? [];

    public bool AddDeal(long dealId) => (_deals ??= []).Add(dealId);

    public bool RemoveDeal(long dealId) => _deals?.Remove(dealId) ?? false;

    public void AddDeals(IEnumerable<long> dealIds) => (_deals ??= []).UnionWith(dealIds);

    public void Append(string name, SandboxPropertyVersion version)
    {
        _changes ??= new Dictionary<string, List<SandboxPropertyVersion>>(StringComparer.Ordinal);
        if (!_changes.TryGetValue(name, out var versions))
        {
            versions = [];
            _changes[name] = versions;
        }

        versions.Add(version);
    }

    /// <summary>Every version of a property, newest first.</summary>
    public SandboxPropertyVersion[] History(string name)
    {
        var changes = _changes?.GetValueOrDefault(name);
        var initial = !UnversionedNames.Contains(name) && _initialValues.TryGetValue(name, out var value) ? value.Text : null;
        var result = new SandboxPropertyVersion[(changes?.Count ?? 0) + (initial is null ? 0 : 1)];
        var index = 0;
        for (var i = (changes?.Count ?? 0) - 1; i >= 0; i--)
        {
            result[index++] = changes![i];
        }

        if (initial is not null)
        {
            // A stage date set at creation was calculated from the creation's lifecyclestage, not written by whoever created the contact.
            result[index] = PropertyCatalog.IsStageDate(name)
                ? new SandboxPropertyVersion(initial, CreatedAt, ChangeOrigin.Calculated.ChangeSource, ChangeOrigin.Calculated.SourceId)
                : new SandboxPropertyVersion(initial, CreatedAt, createdBy.ChangeSource, createdBy.SourceId);
        }

        return result;
    }
}

/// <summary>What an endpoint needs of one contact, copied under the lock.</summary>
internal sealed record ContactView(
    long Id,
    DateTimeOffset CreatedAt,
    ContactState State,
    IReadOnlyDictionary<string, SandboxPropertyVersion[]>? History,
    long[]? Deals);

/// <summary>A change for the webhook outbox; the outbox adds eventId, subscriptionId, portalId, appId and attemptNumber.</summary>
internal sealed record ContactChange(
    string SubscriptionType,
    long ObjectId,
    DateTimeOffset OccurredAt,
    string ChangeSource,
    string? SourceId,
    string? ChangeFlag,
    string? PropertyName = null,
    string? PropertyValue = null,
    long? PrimaryObjectId = null,
    IReadOnlyList<long>? MergedObjectIds = null,
    long? NewObjectId = null,
    string? AssociationType = null,
    long? FromObjectId = null,
    long? ToObjectId = null,
    bool? AssociationRemoved = null);

/// <summary>
/// A contact to import with <see cref="SandboxContactStore.AddContacts"/>: its values at creation, then later sets of values, oldest first,
/// optionally each at its own past moment (an import of a portal's history).
/// </summary>
/// <param name="Initial">The values the contact is created with (unset properties absent or empty).</param>
/// <param name="LaterValues">Each set becomes a new version of the values it changes, as a write after the creation would.</param>
public sealed record SeedContact(IReadOnlyDictionary<string, string?> Initial, IReadOnlyList<IReadOnlyDictionary<string, string?>> LaterValues)
{
    /// <summary>
    /// When the contact was created: its <c>createdate</c>, <c>createdAt</c> and the timestamp of its creation values' history versions.
    /// Null (the default): the <c>createdate</c> in <see cref="Initial"/> if any, else the moment of the import, as before timestamps existed.
    /// </summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>
    /// When each set of <see cref="LaterValues"/> was written, one per set, oldest first, none before the creation nor after the import:
    /// the timestamps of the versions it makes, and the last one becomes <c>lastmodifieddate</c>. Null (the default): every set at the moment of the import.
    /// </summary>
    public IReadOnlyList<DateTimeOffset>? LaterTimestamps { get; init; }
}
