using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// The webhook inbox in Redis: one script checks each event's dedupe key, marks the new ones and queues their contacts on the
/// work-queue stream, in one round trip. Being one script, it is atomic: two replicas handed the same retry at once queue it once.
/// <para>
/// Deliveries that arrive while a script is in flight are committed together by the next one (group commit): under load one
/// round trip carries many deliveries, so the per-call cost of Redis and of the client is paid once for all of them; an idle
/// worker sends each delivery at once, so nothing waits for a timer. Each caller still gets its own events' answers, and a
/// failure of the script fails every delivery it carried (each is answered 503 and retried by HubSpot; the events it had already
/// queued are then duplicates whose work is in the queue).
/// </para>
/// <para>
/// The contacts of one call go on the stream as one entry (a <c>c</c> field per contact, or one comma-separated <c>cs</c> field
/// with <see cref="RedisOptions.CompactWebhookEntries"/>; up to <see cref="ContactsPerEntry"/> per entry), which the consumer reads
/// back as one item per contact: the stream, not Redis's CPU, carries the per-contact cost. The
/// entry sets no waiting marker; a contact queued twice is read once per consumer batch (its ids are made distinct) and
/// evaluated against HubSpot's current state either way.
/// </para>
/// <para>
/// An event is remembered by the 128-bit XxHash of its key (16 bytes, where the key itself is some 60): a fourth of the memory
/// per event, and cheaper for Redis to hash and compare; two different events sharing one is a 2^-128 chance per pair.
/// Keys are filed by the hour the event occurred (<c>{prefix}dedupe:hour:{n}</c>, a hash whose fields are the keys), and each hour
/// expires the dedupe TTL after it ends (or after now, for an event older than that): a retry carries the
/// same <c>occurredAt</c>, so it finds its key, and a field costs Redis far less memory and time than a key with its own expiry.
/// An event without a time gets its own key (<c>{prefix}dedupe:{key}</c>) with the TTL.
/// </para>
/// </summary>
internal sealed class RedisWebhookInbox(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWebhookInbox
{
    /// <summary>At most this many events per script, so one call never holds Redis (single-threaded) for long.</summary>
    internal const int MaxEventsPerCall = 512;


    /// <summary>At most this many contacts per stream entry: one HubSpot batch read, so a consumer never holds more than it can read at once.</summary>
    internal const int ContactsPerEntry = 100;

    private const long HourMs = 3_600_000;

    // KEYS[1] = stream; ARGV[1] = dedupe key prefix, ARGV[2] = dedupe TTL ms, ARGV[3] = reason, ARGV[4] = now ms, ARGV[5] = the
    // entries' enqueued-at ms, ARGV[6] = contacts per entry, ARGV[7] = '1' to list contacts in one cs field (else a c field
    // each), ARGV[8] = number of hours, ARGV[9] = the W3C traceparent the entries carry in a tp field ('' for none: no field);
    // then per hour: its number, its key count n
    // and the n keys; then the count of keys without an hour and those keys; then the contact of each key in that order, joined
    // with commas ('' for a key that queues none); then the ready-made entries: their number, and for each its argument count
    // and its arguments ('c', contact, 'c', contact, ... or 'cs', the contacts comma-joined: the distinct contacts of all the
    // keys, up to ARGV[6] an entry). The
    // caller sends each key once. Returns one character per key, in that order: '1' new, '0' duplicate.
    //   1. Dedupe: per hour, one HMGET of its keys, one HSET of the new ones and the hour's expiry (the TTL after the hour ends,
    //      or after now); a key without an hour is SET NX PX on its own.
    //   2. Queue: when every key is new (the usual case), each ready-made entry is added as it is; otherwise the contacts of the
    //      new keys, each once, in entries of up to ARGV[6] contacts. So Lua handles no contact one by one unless a call repeats
    //      events. By default entries keep the format of earlier versions (a c field per contact), so pods of either version read
    //      all of them during a rolling upgrade or a rollback; the compact format (RedisOptions.CompactWebhookEntries) is read
    //      only by versions that know it.
    //   3. Should an XADD fail (Redis out of memory, a damaged key), every key this call marked is removed again and the error
    //      returned, so HubSpot's retry is processed as new. A write refused for memory before anything was written aborts the call.
    private const string AcceptScript = """
        local prefix, ttl, reason, now, at = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
        local perEntry, compact, tp = tonumber(ARGV[6]), ARGV[7] == '1', ARGV[9]
        local flags, count, marked, singles, all = {}, 0, {}, {}, true
        local i = 10
        for _ = 1, tonumber(ARGV[8]) do
          local hour, n = ARGV[i], tonumber(ARGV[i + 1])
          local hash = prefix .. 'hour:' .. hour
          local present = redis.call('HMGET', hash, unpack(ARGV, i + 2, i + 1 + n))
          local add, m = {}, 0
          for j = 1, n do
            count = count + 1
            if present[j] then
              flags[count], all = '0', false
            else
              flags[count] = '1'
              add[m + 1], add[m + 2] = ARGV[i + 1 + j], '1'
              m = m + 2
            end
          end
          if m > 0 then
            redis.call('HSET', hash, unpack(add))
            redis.call('PEXPIREAT', hash, string.format('%d', math.max((tonumber(hour) + 1) * 3600000, now) + ttl))
            marked[#marked + 1] = {hash, add}
          end
          i = i + 2 + n
        end
        local s = tonumber(ARGV[i])
        for j = 1, s do
          local key = prefix .. ARGV[i + j]
          count = count + 1
          if redis.call('SET', key, '1', 'NX', 'PX', ttl) then
            flags[count] = '1'
            singles[#singles + 1] = key
          else
            flags[count], all = '0', false
          end
        end
        i = i + s + 1

        local function undo(err)
          for _, m in ipairs(marked) do
            local names = {}
            for p = 1, #m[2], 2 do names[#names + 1] = m[2][p] end
            redis.call('HDEL', m[1], unpack(names))
          end
          if #singles > 0 then redis.call('DEL', unpack(singles)) end
          return err
        end
        local function queue(fields, first, last)
          local added
          if tp == '' then
            added = redis.pcall('XADD', KEYS[1], '*', 'r', reason, 't', at, unpack(fields, first, last))
          else
            added = redis.pcall('XADD', KEYS[1], '*', 'r', reason, 't', at, 'tp', tp, unpack(fields, first, last))
          end
          if type(added) == 'table' and added.err then return added end
        end
        if all then
          local j = i + 2
          for _ = 1, tonumber(ARGV[i + 1]) do
            local n = tonumber(ARGV[j])
            local err = queue(ARGV, j + 1, j + n)
            if err then return undo(err) end
            j = j + 1 + n
          end
        else
          local contacts, n, seen, k = {}, 0, {}, 0
          local function flush()
            local fields = {}
            if compact then
              fields[1], fields[2] = 'cs', table.concat(contacts, ',', 1, n)
            else
              for c = 1, n do fields[2 * c - 1], fields[2 * c] = 'c', contacts[c] end
            end
            n = 0
            return queue(fields, 1, #fields)
          end
          for contact in string.gmatch(ARGV[i] .. ',', '([^,]*),') do
            k = k + 1
            if flags[k] == '1' and contact ~= '' and not seen[contact] then
              seen[contact] = true
              n = n + 1
              contacts[n] = contact
              if n == perEntry then
                local err = flush()
                if err then return undo(err) end
              end
            end
          end
          if n > 0 then
            local err = flush()
            if err then return undo(err) end
          end
        end
        return table.concat(flags)
        """;

    private const int FixedArguments = 9;

    private static readonly RedisValue ContactField = "c";
    private static readonly RedisValue ContactListField = "cs";

    private readonly RedisKey[] _keys = [new RedisKeys(options.Value).Stream];
    private readonly RedisValue _dedupePrefix = new RedisKeys(options.Value).DedupePrefix;
    private readonly bool _compact = options.Value.CompactWebhookEntries;
    private readonly ConcurrentQueue<Delivery> _waiting = new();
    private readonly Lock _take = new();

    /// <summary>At most this many scripts of this inbox in flight at once (each carrying the deliveries waiting when it was sent).</summary>
    internal int MaxCallsInFlight { get; init; } = 2;

    /// <summary>Test seam: called when a loop found nothing to take, just before it stops counting itself.</summary>
    internal Action? LoopIdle { get; init; }

    private int _loops;

    private CallPlan? _sparePlan;

    public Task<IReadOnlyList<bool>> AcceptAsync(
        IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dedupeTtl, TimeSpan.Zero);
        foreach (var e in events)
        {
            // A comma would split the id in the script's list of contacts; 0 is no identity (a default event).
            if (e.DedupeId == UInt128.Zero || e.ContactId?.Contains(',', StringComparison.Ordinal) == true)
            {
                throw new ArgumentException("Every event needs a dedupe identity, and a contact id holds no comma.", nameof(events));
            }
        }

        if (events.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<bool>>([]);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<bool>>(cancellationToken);
        }

        var delivery = new Delivery(events, reason, enqueuedAt, dedupeTtl);
        _waiting.Enqueue(delivery);
        Interlocked.MemoryBarrier();
        if (TryStartLoop())
        {
            // This caller starts a commit loop; it runs inline up to its first round trip, then on the thread pool.
            _ = CommitLoopAsync();
        }

        // Once queued, the delivery is not withdrawn and the caller waits for its script (within the Redis timeouts): a command
        // already sent completes on the server anyway, and waiting on the token as well cost every delivery an extra hand-off.
        return delivery.Result.Task;
    }

    /// <summary>
    /// One script for <paramref name="deliveries"/> (same reason and TTL), answering each one's events. A key repeated across the
    /// deliveries is sent once: its first occurrence gets the answer, the others are duplicates. Internal for the tests of a
    /// shared call.
    /// </summary>
    internal Task<IReadOnlyList<bool>[]> AcceptTogetherAsync(IReadOnlyList<Delivery> deliveries) => AcceptTogetherAsync(deliveries, new CallPlan());

    /// <summary>As <see cref="AcceptTogetherAsync(IReadOnlyList{Delivery})"/>, building the call in <paramref name="plan"/> (reset first), which a commit loop reuses.</summary>
    private async Task<IReadOnlyList<bool>[]> AcceptTogetherAsync(IReadOnlyList<Delivery> deliveries, CallPlan plan)
    {
        plan.Reset();
        foreach (var delivery in deliveries)
        {
            plan.Add(delivery);
        }

        var values = plan.Arguments(_dedupePrefix, ContactsPerEntry, _compact);
        var result = await RedisFailures.GuardAsync(
            "webhook accept",
            () => redis.GetDatabase().ScriptEvaluateAsync(AcceptScript, _keys, values),
            CancellationToken.None);
        return plan.Answers((byte[]?)result ?? [], deliveries);
    }

    /// <summary>
    /// True when the caller may start a commit loop: at most <see cref="MaxCallsInFlight"/> run at once, so a delivery arriving
    /// while one script is in flight goes out in the next one without waiting for the first to come back.
    /// </summary>
    /// <remarks>
    /// Counts only up to the limit (compare-and-swap, never a transient count above it that could make an exiting loop believe
    /// others still run). Callers fence between queuing a delivery and calling this, and a loop decrements (a fence) before it
    /// looks at the queue, so either the caller sees the loop gone and starts one, or the loop sees the delivery.
    /// </remarks>
    private bool TryStartLoop()
    {
        var loops = Volatile.Read(ref _loops);
        while (loops < MaxCallsInFlight)
        {
            var seen = Interlocked.CompareExchange(ref _loops, loops + 1, loops);
            if (seen == loops)
            {
                return true;
            }

            loops = seen;
        }

        return false;
    }

    /// <summary>Commits the waiting deliveries, a batch per round trip, until none is left.</summary>
    private async Task CommitLoopAsync()
    {
        var batch = new List<Delivery>();

        // One plan per loop, reset for each call: its tables and buffers are kept, so a call allocates only its arguments. A loop
        // that ends hands its plan to the next one (an idle worker starts a loop per delivery).
        var plan = Interlocked.Exchange(ref _sparePlan, null) ?? new CallPlan();
        while (true)
        {
            TakeBatch(batch);
            if (batch.Count == 0)
            {
                _sparePlan = plan;
                LoopIdle?.Invoke();
                Interlocked.Decrement(ref _loops);

                // A delivery queued after the last take, when every loop was still counted, started none: take it now.
                if (_waiting.IsEmpty || !TryStartLoop())
                {
                    return;
                }

                // Counted again: the plan handed over may already be another loop's, so this one takes a plan anew.
                plan = Interlocked.Exchange(ref _sparePlan, null) ?? new CallPlan();
                continue;
            }

            try
            {
                var answers = await AcceptTogetherAsync(batch, plan);
                for (var d = 0; d < batch.Count; d++)
                {
                    batch[d].Result.TrySetResult(answers[d]);
                }
            }
            catch (Exception ex)
            {
                foreach (var delivery in batch)
                {
                    delivery.Result.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>The longest run of waiting deliveries with the first one's reason and TTL, within <see cref="MaxEventsPerCall"/>.</summary>
    private void TakeBatch(List<Delivery> batch)
    {
        var events = 0;
        lock (_take)
        {
            while (_waiting.TryPeek(out var next))
            {
                if (batch.Count > 0
                    && (next.Reason != batch[0].Reason || next.DedupeTtl != batch[0].DedupeTtl || events + next.Events.Count > MaxEventsPerCall))
                {
                    return;
                }

                // Loops take under the lock, so the delivery peeked is the one taken.
                _waiting.TryDequeue(out _);
                batch.Add(next);
                events += next.Events.Count;
            }
        }
    }

    /// <summary>What Redis stores for a dedupe key: its 128-bit XxHash, 16 big-endian bytes.</summary>
    internal static byte[] Field(string dedupeKey) => Field(InboxEvent.IdOf(dedupeKey));

    private static byte[] Field(UInt128 dedupeId)
    {
        var field = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(field, dedupeId);
        return field;
    }

    // The queue reads the reason back with Enum.TryParse; names, not numbers, keep entries readable in redis-cli.
    private static string ReasonName(WorkReason reason) => reason switch
    {
        WorkReason.Webhook => nameof(WorkReason.Webhook),
        WorkReason.IncrementalSync => nameof(WorkReason.IncrementalSync),
        _ => nameof(WorkReason.Manual),
    };

    /// <summary>
    /// The arguments of one call: the keys of all its deliveries, each once, grouped by hour (then those without one), each with
    /// the contact its first occurrence queues; and where each event's answer is found.
    /// </summary>
    private sealed class CallPlan
    {
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

        public void Add(Delivery delivery)
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
        public RedisValue[] Arguments(RedisValue dedupePrefix, int contactsPerEntry, bool compact)
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

            var entryArguments = 0;
            foreach (var entry in entries)
            {
                entryArguments += 1 + (compact ? 2 : entry.Count * 2);
            }

            var values = new RedisValue[FixedArguments + (_hours.Count * 2) + 1 + _keys.Count + 2 + entryArguments];
            values[0] = dedupePrefix;
            values[1] = (long)_ttl.TotalMilliseconds;
            values[2] = ReasonName(_reason);
            values[3] = _now.ToUnixTimeMilliseconds();
            values[4] = _firstEnqueuedAt!.Value.ToUnixTimeMilliseconds();
            values[5] = contactsPerEntry;
            values[6] = compact ? "1" : "0";
            values[7] = _hours.Count;
            values[8] = _traceParent ?? "";
            if (_order.Length < _keys.Count)
            {
                _order = new int[Math.Max(_keys.Count, _order.Length * 2)];
            }

            var position = 0;
            var v = FixedArguments;
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
                if (compact)
                {
                    values[v++] = 2;
                    values[v++] = ContactListField;
                    values[v++] = string.Join(',', entry);
                    continue;
                }

                values[v++] = entry.Count * 2;
                foreach (var contact in entry)
                {
                    values[v++] = ContactField;
                    values[v++] = contact;
                }
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
        public IReadOnlyList<bool>[] Answers(byte[] flags, IReadOnlyList<Delivery> deliveries)
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

    /// <summary>One caller's delivery, waiting for the script that carries it.</summary>
    internal sealed class Delivery(IReadOnlyList<InboxEvent> events, WorkReason reason, DateTimeOffset enqueuedAt, TimeSpan dedupeTtl)
    {
        public IReadOnlyList<InboxEvent> Events { get; } = events;

        public WorkReason Reason { get; } = reason;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        public TimeSpan DedupeTtl { get; } = dedupeTtl;

        /// <summary>The caller's span (a webhook's intake), taken on the caller's thread: the script runs from another.</summary>
        public string? TraceParent { get; } = WorkItem.CurrentTraceParent();

        public TaskCompletionSource<IReadOnlyList<bool>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
