using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>A request budget: at most <paramref name="Limit"/> requests in any rolling <paramref name="Window"/>.</summary>
internal sealed record RateBudget(int Limit, TimeSpan Window);

/// <summary>
/// The HubSpot request budget shared by every replica. HubSpot's 10-second limit is rolling, so a fixed window or a plain token
/// bucket could let twice the budget through within one window; this keeps a sorted set of grant times per request kind and grants
/// only while fewer than the limit fall inside the last window. The script reads the Redis server's clock, so replicas with skewed
/// clocks agree on what "the last window" is.
/// </summary>
internal sealed class RedisRateLimiter : IHubSpotRateLimiter
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _timeProvider;
    private readonly Budget _standard;
    private readonly Budget _search;

    public RedisRateLimiter(
        IConnectionMultiplexer redis,
        IOptions<RedisOptions> options,
        RateBudget standard,
        RateBudget search,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(standard);
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(standard.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(standard.Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(search.Window, TimeSpan.Zero);
        _redis = redis;
        _timeProvider = timeProvider;
        var keys = new RedisKeys(options.Value);
        _standard = new Budget(standard, keys.RateWindow("standard"), keys.RatePause("standard"));
        _search = new Budget(search, keys.RateWindow("search"), keys.RatePause("search"));
    }

    public async ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken) =>
        await AcquireAndGetGrantTimeAsync(kind, cancellationToken);

    public async ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        if (retryAfter <= TimeSpan.Zero)
        {
            return;
        }

        var budget = For(kind);
        budget.Widen();
        await RedisFailures.GuardAsync(
            "rate limit pause",
            () => _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.RateLimitPause, [budget.PauseKey], [(long)Math.Ceiling(retryAfter.TotalMilliseconds)]),
            cancellationToken);
    }

    /// <summary>Waits for a grant and returns when it was granted, in microseconds of the Redis server's clock.</summary>
    internal async Task<long> AcquireAndGetGrantTimeAsync(HubSpotRequestKind kind, CancellationToken cancellationToken)
    {
        var budget = For(kind);
        var member = Guid.NewGuid().ToString("N");
        while (true)
        {
            var result = await RedisFailures.GuardAsync(
                "rate limit",
                () => _redis.GetDatabase().ScriptEvaluateAsync(
                    RedisScripts.RateLimitAcquire,
                    [budget.GrantsKey, budget.PauseKey],
                    [budget.WindowMicros, budget.Limit, member]),
                cancellationToken);
            var parts = (RedisResult[])result!;
            var waitMillis = (long)parts[0];
            if (waitMillis == 0)
            {
                return (long)parts[1];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(waitMillis), _timeProvider, cancellationToken);
        }
    }

    private Budget For(HubSpotRequestKind kind) => kind == HubSpotRequestKind.Search ? _search : _standard;

    /// <summary>
    /// One budget as this replica paces it. Each 429 widens the window this replica counts grants in by
    /// <see cref="HubSpotOptions.RateLimitMarginStep"/>, at most <see cref="HubSpotOptions.MaxRateLimitWindowMargin"/> past where it
    /// started (a replica whose requests reach HubSpot late paces itself more slowly; the others keep their pace).
    /// </summary>
    private sealed class Budget(RateBudget rate, RedisKey grantsKey, RedisKey pauseKey)
    {
        private readonly long _maxWindowMicros = Micros(rate.Window + HubSpotOptions.MaxRateLimitWindowMargin);
        private long _windowMicros = Micros(rate.Window);

        public int Limit => rate.Limit;

        public RedisKey GrantsKey => grantsKey;

        public RedisKey PauseKey => pauseKey;

        public long WindowMicros => Interlocked.Read(ref _windowMicros);

        public void Widen()
        {
            long current, widened;
            do
            {
                current = Interlocked.Read(ref _windowMicros);
                widened = Math.Min(current + Micros(HubSpotOptions.RateLimitMarginStep), _maxWindowMicros);
            }
            while (Interlocked.CompareExchange(ref _windowMicros, widened, current) != current);
        }

        private static long Micros(TimeSpan span) => (long)(span.TotalMilliseconds * 1000);
    }
}
