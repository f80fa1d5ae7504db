using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// Dead letters as a capped list of JSON (newest first, at most <see cref="RedisOptions.DeadLetterMaxEntries"/>) plus a counter.
/// <see cref="CountAsync"/> returns the counter: every dead letter recorded, including those the cap dropped, minus those removed
/// for privacy, so an operator sees how many writes failed even after the list overflowed.
/// </summary>
internal sealed class RedisDeadLetterStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IDeadLetterStore
{
    // KEYS[1] = list, KEYS[2] = counter; ARGV[1] = json, ARGV[2] = max entries.
    private const string AddScript = """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        return redis.call('INCR', KEYS[2])
        """;

    // KEYS[1] = list, KEYS[2] = counter; ARGV[1] = contact id. Returns how many entries were removed.
    private const string RemoveContactScript = """
        local removed = 0
        for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
          local ok, entry = pcall(cjson.decode, v)
          if ok and type(entry) == 'table' and entry.contactId == ARGV[1] then
            removed = removed + redis.call('LREM', KEYS[1], 0, v)
          end
        end
        if removed > 0 then redis.call('DECRBY', KEYS[2], removed) end
        return removed
        """;

    private readonly RedisKeys _keys = new(options.Value);
    private readonly int _maxEntries = options.Value.DeadLetterMaxEntries;

    public Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        var json = DeadLetterJson.Serialize(deadLetter);
        return RedisFailures.GuardAsync(
            "dead letter add",
            () => redis.GetDatabase().ScriptEvaluateAsync(AddScript, [_keys.DeadLetters, _keys.DeadLetterCount], [json, _maxEntries]),
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
            () => redis.GetDatabase().ScriptEvaluateAsync(RemoveContactScript, [_keys.DeadLetters, _keys.DeadLetterCount], [contactId]),
            cancellationToken);
    }
}
