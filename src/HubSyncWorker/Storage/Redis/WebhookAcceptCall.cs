using System.Buffers.Binary;
using System.Text;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The arguments of one call of <c>Scripts/webhook-accept.lua</c> for <see cref="RedisWebhookInbox"/>: the keys of all its deliveries, each once, grouped by hour (then those without one), each with
/// the contact its first occurrence queues; and where each event's answer is found.
/// </summary>
internal sealed class WebhookAcceptCall
{
    private const long HourMs = 3_600_000;

    private readonly Dictionary<(long Hour, UInt128 Field), int> _slots = [];
    private readonly Dictionary<long, List<int>> _hours = [];
    private readonly Stack<List<int>> _spareHourLists = new();
    private readonly List<int> _single = [];
    private readonly List<(byte[] Field, string? Contact)> _keys = [];
    private readonly List<byte[]> _fields = [];
    private readonly List<int> _eventSlots = [];
    private readonly List<int> _ordered = [];
    private readonly StringBuilder _perKey = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<List<string>> _entries = [];
    private readonly Stack<List<string>> _spareEntries = new();
    private DateTimeOffset? _firstEnqueuedAt;
    private string? _traceParent;
    private DateTimeOffset _now = DateTimeOffset.MinValue;
    private WorkReason _reason;
    private TimeSpan _ttl;
    private int[] _order = [];

    /// <summary>Empties the plan for another call, keeping its tables' capacity and its 16-byte field buffers.</summary>
    public void Reset()
    {
        _slots.Clear();
        foreach (var slots in _hours.Values)
        {
            slots.Clear();
            _spareHourLists.Push(slots);
        }

        _hours.Clear();
        _single.Clear();
        _keys.Clear();
        _eventSlots.Clear();
        _firstEnqueuedAt = null;
        _traceParent = null;
        _now = DateTimeOffset.MinValue;
    }

    public void Add(RedisWebhookInbox.Delivery delivery)
    {
        if (_firstEnqueuedAt is null)
        {
            (_reason, _ttl) = (delivery.Reason, delivery.DedupeTtl);
        }

        // Entries carry one trace parent, as they carry one enqueued-at: deliveries sharing a call join the first traced one's trace.
        _traceParent ??= delivery.TraceParent;
        _firstEnqueuedAt = _firstEnqueuedAt is { } first && first < delivery.EnqueuedAt ? first : delivery.EnqueuedAt;
        _now = delivery.EnqueuedAt > _now ? delivery.EnqueuedAt : _now;
        foreach (var e in delivery.Events)
        {
            var hour = e.OccurredAt is { } at && at.ToUnixTimeMilliseconds() >= 0 ? at.ToUnixTimeMilliseconds() / HourMs : -1;
            if (!_slots.TryAdd((hour, e.DedupeId), _keys.Count))
            {
                _eventSlots.Add(-1);
                continue;
            }

            var slot = _keys.Count;
            _keys.Add((FieldBuffer(slot, e.DedupeId), e.ContactId));
            _eventSlots.Add(slot);
            if (hour < 0)
            {
                _single.Add(slot);
            }
            else if (_hours.TryGetValue(hour, out var slots))
            {
                slots.Add(slot);
            }
            else
            {
                var list = _spareHourLists.Count > 0 ? _spareHourLists.Pop() : [];
                list.Add(slot);
                _hours.Add(hour, list);
            }
        }
    }

    /// <summary>The 16 bytes Redis stores for key <paramref name="slot"/>, in a buffer kept from earlier calls of this plan.</summary>
    private byte[] FieldBuffer(int slot, UInt128 dedupeId)
    {
        if (slot == _fields.Count)
        {
            _fields.Add(new byte[16]);
        }

        var field = _fields[slot];
        BinaryPrimitives.WriteUInt128BigEndian(field, dedupeId);
        return field;
    }

    /// <summary>The script's arguments; afterwards <see cref="_order"/> maps each slot to its answer's position.</summary>
    public RedisValue[] Arguments(RedisValue dedupePrefix, int contactsPerEntry)
    {
        // In the order the script answers: by hour, then the keys without one.
        var ordered = _ordered;
        ordered.Clear();
        foreach (var (_, slots) in _hours)
        {
            ordered.AddRange(slots);
        }

        ordered.AddRange(_single);
        var (perKey, entries) = Contacts(ordered, contactsPerEntry);

        var metadata = WorkQueueEntry.Metadata(_reason, _firstEnqueuedAt!.Value, _traceParent);
        var fixedArguments = 6 + metadata.Length;
        var values = new RedisValue[fixedArguments + 1 + (_hours.Count * 2) + 1 + _keys.Count + 2 + entries.Count];
        values[0] = dedupePrefix;
        values[1] = (long)_ttl.TotalMilliseconds;
        values[2] = _now.ToUnixTimeMilliseconds();
        values[3] = contactsPerEntry;
        values[4] = WorkQueueEntry.ContactsField;
        values[5] = metadata.Length;
        metadata.CopyTo(values, 6);
        if (_order.Length < _keys.Count)
        {
            _order = new int[Math.Max(_keys.Count, _order.Length * 2)];
        }

        var position = 0;
        var v = fixedArguments;
        values[v++] = _hours.Count;
        foreach (var (hour, slots) in _hours)
        {
            values[v++] = hour;
            values[v++] = slots.Count;
            foreach (var slot in slots)
            {
                values[v++] = _keys[slot].Field;
                _order[slot] = position++;
            }
        }

        values[v++] = _single.Count;
        foreach (var slot in _single)
        {
            values[v++] = _keys[slot].Field;
            _order[slot] = position++;
        }

        values[v++] = perKey;
        values[v++] = entries.Count;
        foreach (var entry in entries)
        {
            values[v++] = WorkQueueEntry.JoinContacts(entry);
        }

        return values;
    }

    /// <summary>
    /// Each key's contact in <paramref name="ordered"/> order, comma-joined ('' for none), and the distinct contacts of all
    /// the keys in that order, up to <paramref name="contactsPerEntry"/> an entry: the entries when every key is new.
    /// </summary>
    private (string PerKey, List<List<string>> Entries) Contacts(List<int> ordered, int contactsPerEntry)
    {
        var perKey = _perKey.Clear();
        var entries = _entries;
        foreach (var entry in entries)
        {
            entry.Clear();
            _spareEntries.Push(entry);
        }

        entries.Clear();
        var seen = _seen;
        seen.Clear();
        for (var k = 0; k < ordered.Count; k++)
        {
            var contact = _keys[ordered[k]].Contact;
            if (k > 0)
            {
                perKey.Append(',');
            }

            if (string.IsNullOrEmpty(contact))
            {
                continue;
            }

            perKey.Append(contact);
            if (!seen.Add(contact))
            {
                continue;
            }

            if (entries.Count == 0 || entries[^1].Count == contactsPerEntry)
            {
                entries.Add(_spareEntries.Count > 0 ? _spareEntries.Pop() : new List<string>(Math.Min(contactsPerEntry, ordered.Count - k)));
            }

            entries[^1].Add(contact);
        }

        return (perKey.ToString(), entries);
    }

    /// <summary>Each delivery's answers from the script's flags ('1' new, '0' duplicate, one per key in the order sent).</summary>
    public IReadOnlyList<bool>[] Answers(byte[] flags, IReadOnlyList<RedisWebhookInbox.Delivery> deliveries)
    {
        if (flags.Length != _keys.Count)
        {
            throw new InvalidOperationException($"The webhook accept script answered {flags.Length} flags for {_keys.Count} keys.");
        }

        var answers = new IReadOnlyList<bool>[deliveries.Count];
        var e = 0;
        for (var d = 0; d < deliveries.Count; d++)
        {
            var isNew = new bool[deliveries[d].Events.Count];
            for (var i = 0; i < isNew.Length; i++, e++)
            {
                var slot = _eventSlots[e];
                isNew[i] = slot >= 0 && flags[_order[slot]] == (byte)'1';
            }

            answers[d] = isNew;
        }

        return answers;
    }
}
