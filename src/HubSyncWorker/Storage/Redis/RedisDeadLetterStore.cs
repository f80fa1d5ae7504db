using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// Dead letters as a capped list of JSON (newest first, at most <see cref="RedisOptions.DeadLetterMaxEntries"/>) plus a counter.
/// <see cref="CountAsync"/> returns the counter: every dead letter recorded, including those the cap dropped, minus those removed
/// for privacy or once retried, so an operator sees how many writes failed even after the list overflowed.
/// <para>
/// A hash counts each contact's entries in the list (<c>{prefix}deadletters:contacts</c>), so forgetting a contact that has none (a
/// deletion or a merge in a webhook, nearly always) is one lookup instead of a scan of up to the whole list inside the request. The
/// index is known complete once <c>{prefix}deadletters:indexed</c> exists; lists written by earlier versions get it on the first
/// removal, which scans them once and builds it.
/// </para>
/// </summary>
internal sealed class RedisDeadLetterStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IDeadLetterStore
{
    // Lowers the index count of the contact of list entry v (a JSON dead letter), dropping it at zero. KEYS[3] = per-contact index.
    private const string UnindexFunction = """
        local function unindex(v)
          local ok, entry = pcall(cjson.decode, v)
          if ok and type(entry) == 'table' and type(entry.contactId) == 'string'
              and redis.call('HINCRBY', KEYS[3], entry.contactId, -1) <= 0 then
            redis.call('HDEL', KEYS[3], entry.contactId)
          end
        end

        """;

    // KEYS[1] = list, KEYS[2] = counter, KEYS[3] = per-contact index, KEYS[4] = index-complete flag; ARGV[1] = json, ARGV[2] = max
    // entries, ARGV[3] = contact id. The entry the cap pushes out leaves the index with it.
    private const string AddScript = UnindexFunction + """
        local max = tonumber(ARGV[2])
        if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SET', KEYS[4], '1') end
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
        for _, v in ipairs(redis.call('LRANGE', KEYS[1], max, -1)) do
          unindex(v)
        end
        redis.call('LTRIM', KEYS[1], 0, max - 1)
        return redis.call('INCR', KEYS[2])
        """;

    // KEYS as for AddScript; ARGV[1] = contact id. Returns how many entries were removed. With a complete index, a contact without
    // entries costs one HGET; otherwise the list is scanned (and, without a complete index, the index built from it).
    private const string RemoveContactScript = """
        local indexed = redis.call('EXISTS', KEYS[4]) == 1
        if indexed and not redis.call('HGET', KEYS[3], ARGV[1]) then return 0 end
        if not indexed then redis.call('DEL', KEYS[3]) end
        local removed = 0
        for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
          local ok, entry = pcall(cjson.decode, v)
          if ok and type(entry) == 'table' and type(entry.contactId) == 'string' then
            if entry.contactId == ARGV[1] then
              removed = removed + redis.call('LREM', KEYS[1], 0, v)
            elseif not indexed then
              redis.call('HINCRBY', KEYS[3], entry.contactId, 1)
            end
          end
        end
        redis.call('HDEL', KEYS[3], ARGV[1])
        redis.call('SET', KEYS[4], '1')
        if removed > 0 then redis.call('DECRBY', KEYS[2], removed) end
        return removed
        """;

    // KEYS as for AddScript; ARGV = the entries to drop, as stored. One pass over the list keeps every other entry in its order
    // (LREM per entry would scan the list once per entry); each given entry is dropped once, its contact's index count lowered.
    // Returns how many were found.
    private const string RemoveEntriesScript = UnindexFunction + """
        local drop = {}
        for _, v in ipairs(ARGV) do drop[v] = (drop[v] or 0) + 1 end
        local kept, removed = {}, 0
        for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
          if (drop[v] or 0) > 0 then
            drop[v] = drop[v] - 1
            removed = removed + 1
            unindex(v)
          else
            kept[#kept + 1] = v
          end
        end
        if removed == 0 then return 0 end
        redis.call('DEL', KEYS[1])
        for i = 1, #kept, 1000 do redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
        redis.call('DECRBY', KEYS[2], removed)
        return removed
        """;

    /// <summary>
    /// Entries per removal script. Each call reads and rewrites the whole list, so its cost follows the list's length (measured:
    /// 12-45 ms with 10,000 letters of ~500 B), not the chunk's: chunks this large keep a retry of every letter to a few calls,
    /// while a retry of a few contacts is one.
    /// </summary>
    private const int RemoveChunk = 2_500;

    private readonly RedisKeys _keys = new(options.Value);
    private readonly int _maxEntries = options.Value.DeadLetterMaxEntries;

    private RedisKey[] Keys => [_keys.DeadLetters, _keys.DeadLetterCount, _keys.DeadLetterContacts, _keys.DeadLetterIndexed];

    public Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        var json = DeadLetterJson.Serialize(deadLetter);
        return RedisFailures.GuardAsync(
            "dead letter add",
            () => redis.GetDatabase().ScriptEvaluateAsync(AddScript, Keys, [json, _maxEntries, deadLetter.ContactId]),
            cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 0);
        if (max == 0)
        {
            return [];
        }

        var values = await RedisFailures.GuardAsync(
            "dead letter list", () => redis.GetDatabase().ListRangeAsync(_keys.DeadLetters, 0, max - 1), cancellationToken);
        var letters = new List<DeadLetter>(values.Length);
        foreach (var value in values)
        {
            if (DeadLetterJson.Deserialize(value!) is { } letter)
            {
                letters.Add(letter);
            }
        }

        return letters;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        var value = await RedisFailures.GuardAsync(
            "dead letter count", () => redis.GetDatabase().StringGetAsync(_keys.DeadLetterCount), cancellationToken);
        return value.HasValue ? (long)value : 0;
    }

    public Task RemoveContactAsync(string contactId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contactId);
        return RedisFailures.GuardAsync(
            "dead letter remove",
            () => redis.GetDatabase().ScriptEvaluateAsync(RemoveContactScript, Keys, [contactId]),
            cancellationToken);
    }

    public async Task<int> RemoveAsync(IReadOnlyCollection<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);

        // An entry is found by its stored JSON, which serialising the listed letter again reproduces (same serializer, same
        // options); an entry that somehow differs stays, which only leaves it listed.
        var removed = 0;
        foreach (var chunk in deadLetters.Chunk(RemoveChunk))
        {
            var entries = Array.ConvertAll(chunk, letter => (RedisValue)DeadLetterJson.Serialize(letter));
            var result = await RedisFailures.GuardAsync(
                "dead letter remove",
                () => redis.GetDatabase().ScriptEvaluateAsync(RemoveEntriesScript, Keys, entries),
                cancellationToken);
            removed += (int)result;
        }

        return removed;
    }
}
