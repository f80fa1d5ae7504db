using HubSyncWorker.HubSpot.RateLimiting;

namespace HubSyncWorker.Diagnostics;

/// <summary>Decorates the registered <see cref="IHubSpotRateLimiter"/> (in-process or Redis) to record how long each acquisition waited.</summary>
internal sealed class MeasuredRateLimiter(IHubSpotRateLimiter inner, HubSpotCallMetrics metrics, TimeProvider timeProvider) : IHubSpotRateLimiter
{
    internal IHubSpotRateLimiter Inner => inner;

    public async ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        await inner.AcquireAsync(kind, cancellationToken);
        metrics.BudgetWait(kind, timeProvider.GetElapsedTime(started));
    }

    public ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        inner.PauseAsync(kind, retryAfter, cancellationToken);
}
