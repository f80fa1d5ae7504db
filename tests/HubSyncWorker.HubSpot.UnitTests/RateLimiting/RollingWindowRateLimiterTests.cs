using HubSyncWorker.HubSpot.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.HubSpot.UnitTests.RateLimiting;

public sealed class RollingWindowRateLimiterTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    // The window math is tested on HubSpot's exact windows (no margin); the margin has its own test.
    private RollingWindowRateLimiter CreateLimiter(int perTenSeconds = 100, int searchPerSecond = 4, TimeSpan? margin = null) =>
        new(Options.Create(new HubSpotOptions
        {
            AccessToken = "x",
            RequestsPerTenSeconds = perTenSeconds,
            SearchRequestsPerSecond = searchPerSecond,
            RateLimitWindowMargin = margin ?? TimeSpan.Zero,
        }), _time);

    [Fact]
    public async Task AcquireAsync_WithWindowMargin_WaitsTheMarginLongerThanHubSpotsWindow()
    {
        using var limiter = CreateLimiter(perTenSeconds: 1, margin: TimeSpan.FromMilliseconds(200));
        await limiter.AcquireAsync(HubSpotRequestKind.Standard, default);

        var second = limiter.AcquireAsync(HubSpotRequestKind.Standard, default).AsTask();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(200));

        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AcquireAsync_ThousandQueuedRequests_NeverExceedsBudgetInAnyRollingWindowAndReachesIdealThroughput()
    {
        const int budget = 100;
        using var limiter = CreateLimiter(perTenSeconds: budget);
        var start = _time.GetUtcNow();
        var pending = Enumerable.Range(0, 1_000).Select(_ => limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask()).ToList();

        var grants = RunUntilGranted(pending, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

        AssertNoWindowExceeds(grants, budget, TenSeconds);
        // Ideal: B at t=0, the next B once the first leave the window at 10 s, ... so the 1,000th at 90 s.
        Assert.Equal(TimeSpan.FromSeconds(90), grants[^1] - start);
        Assert.Equal(budget, grants.Count(g => g == start));
    }

    [Fact]
    public void AcquireAsync_StaggeredArrivals_NeverExceedsBudgetInAnyRollingWindow()
    {
        const int budget = 10;
        using var limiter = CreateLimiter(perTenSeconds: budget);
        var random = new Random(42);
        var pending = new List<Task>();
        var grants = new List<DateTimeOffset>();
        var step = TimeSpan.FromMilliseconds(50);

        // 300 requests arriving in random bursts, far more than the budget allows, for 60 s.
        for (var tick = 0; tick < 1_200 || pending.Count > 0; tick++)
        {
            if (tick < 1_200 && random.Next(4) == 0)
            {
                pending.AddRange(Enumerable.Range(0, random.Next(1, 3)).Select(_ => limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask()));
            }

            Collect(pending, grants);
            _time.Advance(step);
            Collect(pending, grants);
            Assert.True(tick < 100_000, "grants stalled");
        }

        AssertNoWindowExceeds(grants, budget, TenSeconds);
        Assert.True(grants.Count > 200);
    }

    [Fact]
    public void AcquireAsync_SearchBudget_PacesPerSecondIndependentlyOfStandardBudget()
    {
        using var limiter = CreateLimiter(perTenSeconds: 2, searchPerSecond: 4);
        var start = _time.GetUtcNow();

        // The standard budget is exhausted first; search must not care.
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
        var blockedStandard = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();

        var search = Enumerable.Range(0, 40).Select(_ => limiter.AcquireAsync(HubSpotRequestKind.Search, CancellationToken.None).AsTask()).ToList();
        var grants = RunUntilGranted(search, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));

        AssertNoWindowExceeds(grants, 4, OneSecond);
        Assert.Equal(4, grants.Count(g => g == start));
        Assert.Equal(TimeSpan.FromSeconds(9), grants[^1] - start);
        Assert.False(blockedStandard.IsCompleted, "search grants must not use the standard budget");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(blockedStandard.IsCompleted, "the standard waiter is granted at 10 s, independent of the search queue");
    }

    [Fact]
    public void AcquireAsync_BudgetSpent_NextRequestWaitsUntilOldestGrantLeavesWindow()
    {
        using var limiter = CreateLimiter(perTenSeconds: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Grants at 0 s, 1 s, 2 s; now 3 s: the 4th may go at 10 s, the 5th at 11 s.
        var fourth = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        var fifth = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(6_999));
        Assert.False(fourth.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(fourth.IsCompleted);
        Assert.False(fifth.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(fifth.IsCompleted);
    }

    [Fact]
    public async Task AcquireAsync_WaitersServedFirstInFirstOut()
    {
        using var limiter = CreateLimiter(perTenSeconds: 1);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5)
            .Select(i => limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask().ContinueWith(_ => { lock (order) { order.Add(i); } }, TaskScheduler.Default))
            .ToList();

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TenSeconds);
            await waiters[i].WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task PauseAsync_DelaysGrantsOfThatKindUntilPauseEnds()
    {
        using var limiter = CreateLimiter(perTenSeconds: 100);
        await limiter.PauseAsync(HubSpotRequestKind.Standard, TimeSpan.FromSeconds(10), CancellationToken.None);

        var paused = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        var search = limiter.AcquireAsync(HubSpotRequestKind.Search, CancellationToken.None).AsTask();

        Assert.True(search.IsCompleted, "a standard pause must not hold back search");
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(paused.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(paused.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task PauseAsync_WhileRequestsWait_PushesTheirGrantBack()
    {
        using var limiter = CreateLimiter(perTenSeconds: 1);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
        var waiting = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(5));

        await limiter.PauseAsync(HubSpotRequestKind.Standard, TimeSpan.FromSeconds(20), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted, "would have been granted at 10 s without the pause");
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task PauseAsync_EachRateLimit_WidensThatBudgetsWindowByAStepUpToTheCap()
    {
        using var limiter = CreateLimiter(perTenSeconds: 1, searchPerSecond: 1);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);

        // One 429 (a pause too short to matter): the next standard slot frees 10.25 s after the last grant, not 10 s.
        await limiter.PauseAsync(HubSpotRequestKind.Standard, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        var next = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        _time.Advance(TenSeconds);
        Assert.False(next.IsCompleted, "the window widened by a step");
        _time.Advance(HubSpotOptions.RateLimitMarginStep);
        Assert.True(next.IsCompletedSuccessfully);

        // Many 429s: the margin stops at its cap (12 s windows), and the search budget kept its own 1 s window.
        for (var i = 0; i < 20; i++)
        {
            await limiter.PauseAsync(HubSpotRequestKind.Standard, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        }

        var capped = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        _time.Advance(TenSeconds + HubSpotOptions.MaxRateLimitWindowMargin - TimeSpan.FromMilliseconds(1));
        Assert.False(capped.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(capped.IsCompletedSuccessfully);

        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Search, CancellationToken.None).IsCompleted);
        var search = limiter.AcquireAsync(HubSpotRequestKind.Search, CancellationToken.None).AsTask();
        _time.Advance(OneSecond);
        Assert.True(search.IsCompletedSuccessfully, "a standard 429 does not widen the search window");
    }

    [Fact]
    public async Task AcquireAsync_CancelledWaiter_DoesNotConsumeBudget()
    {
        using var limiter = CreateLimiter(perTenSeconds: 2);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);

        using var cancellation = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(HubSpotRequestKind.Standard, cancellation.Token).AsTask();
        var second = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        var third = limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).AsTask();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _time.Advance(TenSeconds);
        // Two slots free up at 10 s and both go to the remaining waiters: the cancelled one took none.
        Assert.True(second.IsCompletedSuccessfully);
        Assert.True(third.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AcquireAsync_AlreadyCancelledToken_ThrowsWithoutTakingBudget()
    {
        using var limiter = CreateLimiter(perTenSeconds: 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.AcquireAsync(HubSpotRequestKind.Standard, new CancellationToken(true)).AsTask());
        Assert.True(limiter.AcquireAsync(HubSpotRequestKind.Standard, CancellationToken.None).IsCompleted);
    }

    private List<DateTimeOffset> RunUntilGranted(List<Task> pending, TimeSpan step, TimeSpan limit)
    {
        var grants = new List<DateTimeOffset>();
        var remaining = new List<Task>(pending);
        var deadline = _time.GetUtcNow() + limit;
        Collect(remaining, grants);
        while (remaining.Count > 0)
        {
            Assert.True(_time.GetUtcNow() < deadline, $"{remaining.Count} requests still waiting after {limit}");
            _time.Advance(step);
            Collect(remaining, grants);
        }

        return grants;
    }

    // Grants happen inside Advance at timer due times, all multiples of the step here, so "now" is the exact grant time.
    private void Collect(List<Task> pending, List<DateTimeOffset> grants)
    {
        var now = _time.GetUtcNow();
        var done = pending.Where(t => t.IsCompleted).ToList();
        foreach (var task in done)
        {
            Assert.True(task.IsCompletedSuccessfully);
            grants.Add(now);
            pending.Remove(task);
        }
    }

    private static void AssertNoWindowExceeds(List<DateTimeOffset> grants, int budget, TimeSpan window)
    {
        var sorted = grants.Order().ToList();
        for (var i = budget; i < sorted.Count; i++)
        {
            // B+1 grants within less than one window would be a 429 at HubSpot.
            Assert.True(sorted[i] - sorted[i - budget] >= window, $"grants {i - budget} and {i} are {sorted[i] - sorted[i - budget]} apart: {budget + 1} requests in one rolling window");
        }
    }
}
