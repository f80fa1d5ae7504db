namespace HubSyncWorker.Sandbox.RateLimiting;

/// <summary>The verdict on one request: allowed (with the header values to report) or refused under a policy.</summary>
internal readonly record struct RateDecision(string? RefusedBy, int Max, int Remaining, int? DailyMax, int? DailyRemaining);

/// <summary>
/// HubSpot's portal budget: a rolling 10-second window for ordinary calls, a rolling 1-second window for search,
/// and an optional daily count that resets at midnight UTC (the sandbox portal's time zone is UTC).
/// A refused request does not consume budget (it is not added to any window), so a client that backs off recovers
/// exactly one window after its last accepted call. Search calls count against the daily limit but not the 10-second window.
/// All window math uses the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SandboxRateBudget(SandboxOptions options)
{
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _standard = new();
    private readonly Queue<DateTimeOffset> _search = new();
    private readonly TimeProvider _time = options.TimeProvider;
    private DateOnly _day;
    private int _dailyCount;

    public RateDecision TryAcquire(bool isSearch)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (today != _day)
            {
                _day = today;
                _dailyCount = 0;
            }

            var (window, length, max, policy) = isSearch
                ? (_search, TimeSpan.FromSeconds(1), options.SearchRequestsPerSecond, RateLimitPolicy.Secondly)
                : (_standard, TimeSpan.FromSeconds(10), options.RequestsPerTenSeconds, RateLimitPolicy.TenSecondlyRolling);
            while (window.TryPeek(out var oldest) && oldest <= now - length)
            {
                window.Dequeue();
            }

            int? dailyRemaining = options.DailyLimit is { } daily ? daily - _dailyCount : null;
            if (options.EnforceRateLimits)
            {
                if (dailyRemaining is <= 0)
                {
                    return new RateDecision(RateLimitPolicy.Daily, max, Math.Max(0, max - window.Count), options.DailyLimit, 0);
                }

                if (window.Count >= max)
                {
                    return new RateDecision(policy, max, 0, options.DailyLimit, dailyRemaining);
                }
            }

            window.Enqueue(now);
            _dailyCount++;
            return new RateDecision(null, max, Math.Max(0, max - window.Count), options.DailyLimit, dailyRemaining - 1);
        }
    }
}
