using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.Sandbox.Crm;

/// <summary>One value change of a lead or task property, as the sandbox validates and applies it.</summary>
internal sealed record CrmPropertyError(string Name, string Code, string Message);

/// <summary>What search sees of a record: its values, associations and archive flag at one instant.</summary>
internal sealed record CrmObjectState(IReadOnlyDictionary<string, string> Values, IReadOnlyList<long> ContactIds, DateTimeOffset UpdatedAt, bool Archived);

/// <summary>
/// A lead or task held by the sandbox: current values, every version of every value (property history, newest last), associated
/// contacts, and the states the search index has been given with the instant each becomes visible (the index lags writes).
/// Not thread-safe: its store locks around every use.
/// </summary>
internal sealed class CrmObjectRecord(long id, DateTimeOffset createdAt, long? primaryContactId)
{
    private readonly Dictionary<string, List<SandboxPropertyVersion>> _history = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset VisibleAt, CrmObjectState State)> _indexed = [];

    public long Id { get; } = id;

    public string IdText => Id.ToString(CultureInfo.InvariantCulture);

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; private set; } = createdAt;

    public bool Archived { get; set; }

    public long? PrimaryContactId { get; } = primaryContactId;

    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public List<long> ContactIds { get; } = [];

    /// <summary>Sets a value and records the version; an unchanged value records nothing. Returns whether it changed.</summary>
    public bool Set(string name, string value, DateTimeOffset at, ChangeOrigin origin)
    {
        if (Values.TryGetValue(name, out var current) && current == value)
        {
            return false;
        }

        if (value.Length == 0)
        {
            Values.Remove(name);
        }
        else
        {
            Values[name] = value;
        }

        if (!_history.TryGetValue(name, out var versions))
        {
            versions = [];
            _history[name] = versions;
        }

        versions.Add(new SandboxPropertyVersion(value, at, origin.ChangeSource, origin.SourceId));
        UpdatedAt = at;
        return true;
    }

    /// <summary>Every version of <paramref name="name"/>, newest first, as HubSpot's <c>propertiesWithHistory</c> lists them.</summary>
    public SandboxPropertyVersion[] History(string name) =>
        _history.TryGetValue(name, out var versions) ? [.. Enumerable.Reverse(versions)] : [];

    public void Touch(DateTimeOffset at) => UpdatedAt = at;

    public CrmObjectState Snapshot() => new(new Dictionary<string, string>(Values, StringComparer.Ordinal), [.. ContactIds], UpdatedAt, Archived);

    /// <summary>Hands the current state to the search index, visible from <paramref name="visibleAt"/>.</summary>
    public void Index(DateTimeOffset visibleAt) => _indexed.Add((visibleAt, Snapshot()));

    /// <summary>The newest state the search index shows at <paramref name="now"/>; null when the record is not searchable yet.</summary>
    public CrmObjectState? Indexed(DateTimeOffset now)
    {
        CrmObjectState? visible = null;
        var newestVisible = -1;
        for (var i = 0; i < _indexed.Count; i++)
        {
            if (_indexed[i].VisibleAt <= now)
            {
                visible = _indexed[i].State;
                newestVisible = i;
            }
        }

        if (newestVisible > 0)
        {
            // Older visible states can never be shown again.
            _indexed.RemoveRange(0, newestVisible);
        }

        return visible;
    }
}
