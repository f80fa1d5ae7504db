using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.Sandbox.Crm;

/// <summary>What an endpoint needs of one lead or task, copied under the lock.</summary>
internal sealed record CrmObjectView(long Id, DateTimeOffset CreatedAt, CrmObjectState State, IReadOnlyDictionary<string, SandboxPropertyVersion[]>? History)
{
    public string IdText => Id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The property rules of one object type: which values a write may set, and the values HubSpot calculates.</summary>
internal interface ICrmObjectRules
{
    /// <summary>Checks <paramref name="input"/> against the record's <paramref name="current"/> values (null on create); fills <paramref name="normalized"/>.</summary>
    List<CrmPropertyError> Validate(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string?> input, bool create, Dictionary<string, string> normalized);

    /// <summary>Sets the calculated values (no history) after a write.</summary>
    void Recompute(CrmObjectRecord record);
}

/// <summary>
/// Storage shared by the lead and task stores: one lock, ids ascending from a type-specific start, property history, associated
/// contacts and a search index that shows each write only after the index lag (HubSpot's search is eventually consistent).
/// </summary>
internal sealed class CrmObjectTable(ICrmObjectRules rules, TimeProvider time, TimeSpan indexLag, long firstId)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, CrmObjectRecord> _records = [];
    private long _nextId = firstId;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Values.Count(r => !r.Archived);
            }
        }
    }

    public List<CrmPropertyError> Validate(IReadOnlyDictionary<string, string?> input, bool create) => rules.Validate(null, input, create, []);

    public (CrmObjectView? View, List<CrmPropertyError> Errors) Create(IReadOnlyDictionary<string, string?> input, IReadOnlyList<long> contactIds, ChangeOrigin origin)
    {
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var errors = rules.Validate(null, input, create: true, normalized);
            if (errors.Count > 0)
            {
                return (null, errors);
            }

            var record = new CrmObjectRecord(_nextId++, now, contactIds.Count > 0 ? contactIds[0] : null);
            record.ContactIds.AddRange(contactIds.Distinct());
            foreach (var (name, value) in normalized)
            {
                record.Set(name, value, now, origin);
            }

            Publish(record, now);
            _records[record.Id] = record;
            return (View(record, null), []);
        }
    }

    /// <summary>Applies a write; Found is false when the id is unknown or archived.</summary>
    public (bool Found, CrmObjectView? View, List<CrmPropertyError> Errors) Update(string id, IReadOnlyDictionary<string, string?> input, ChangeOrigin origin)
    {
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (Find(id) is not { Archived: false } record)
            {
                return (false, null, []);
            }

            var errors = rules.Validate(record.Values, input, create: false, normalized);
            if (errors.Count > 0)
            {
                return (true, null, errors);
            }

            var changed = false;
            foreach (var (name, value) in normalized)
            {
                changed |= record.Set(name, value, now, origin);
            }

            if (changed)
            {
                Publish(record, now);
            }

            return (true, View(record, null), []);
        }
    }

    public CrmObjectView? Get(string id, IReadOnlyCollection<string> historyFor, bool archived = false)
    {
        lock (_lock)
        {
            return Find(id) is { } record && record.Archived == archived ? View(record, historyFor) : null;
        }
    }

    public (List<CrmObjectView> Found, List<string> Missing) Read(IReadOnlyList<string> ids, IReadOnlyCollection<string> historyFor)
    {
        var found = new List<CrmObjectView>();
        var missing = new List<string>();
        lock (_lock)
        {
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (Find(id) is { Archived: false } record)
                {
                    found.Add(View(record, historyFor));
                }
                else
                {
                    missing.Add(id);
                }
            }
        }

        return (found, missing);
    }

    public bool Archive(string id)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (Find(id) is not { Archived: false } record)
            {
                return false;
            }

            record.Archived = true;
            record.Touch(now);
            Publish(record, now);
            return true;
        }
    }

    /// <summary>Searches what the index shows now: a write made within the index lag is not seen yet, or is seen with its older values.</summary>
    public (int Total, List<CrmObjectView> Page) Search(CrmSearchQuery query)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var matches = _records.Values
                .Select(r => (Record: r, State: r.Indexed(now)))
                .Where(x => x.State is { Archived: false } state && query.Matches(x.Record.Id, state))
                .Select(x => new CrmObjectView(x.Record.Id, x.Record.CreatedAt, x.State!, null))
                .ToList();
            if (query.SortProperty is not null)
            {
                var comparer = Comparer<CrmObjectView>.Create((a, b) =>
                {
                    var byValue = CrmSearchQuery.Compare(query.SortValue(a.Id, a.State), query.SortValue(b.Id, b.State));
                    return byValue != 0 ? byValue : a.Id.CompareTo(b.Id);
                });
                matches.Sort(comparer);
                if (query.Descending)
                {
                    matches.Reverse();
                }
            }

            return (matches.Count, [.. matches.Skip(query.After).Take(query.Limit)]);
        }
    }

    /// <summary>The records associated with a contact, oldest first (archived ones left out).</summary>
    public List<CrmObjectView> ForContact(long contactId)
    {
        lock (_lock)
        {
            return [.. _records.Values.Where(r => !r.Archived && r.ContactIds.Contains(contactId)).Select(r => View(r, null))];
        }
    }

    public IReadOnlyList<SandboxPropertyVersion> History(string id, string propertyName)
    {
        lock (_lock)
        {
            return Find(id)?.History(propertyName) ?? [];
        }
    }

    private void Publish(CrmObjectRecord record, DateTimeOffset now)
    {
        rules.Recompute(record);
        record.Index(now + indexLag);
    }

    private CrmObjectRecord? Find(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && _records.TryGetValue(key, out var record) ? record : null;

    private static CrmObjectView View(CrmObjectRecord record, IReadOnlyCollection<string>? historyFor) => new(
        record.Id,
        record.CreatedAt,
        record.Snapshot(),
        historyFor is { Count: > 0 } ? historyFor.Distinct(StringComparer.Ordinal).ToDictionary(n => n, record.History, StringComparer.Ordinal) : null);
}
