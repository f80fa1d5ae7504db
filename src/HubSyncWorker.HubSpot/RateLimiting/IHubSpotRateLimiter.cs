namespace HubSyncWorker.HubSpot.RateLimiting;

/// <summary>The two budgets HubSpot enforces separately for a private app.</summary>
public enum HubSpotRequestKind
{
    /// <summary>Every CRM call except search: counted against the per-10-second burst budget.</summary>
    Standard,

    /// <summary>CRM search calls: counted against the per-second search budget (and not against the burst budget).</summary>
    Search,
}

/// <summary>
/// Paces outgoing HubSpot requests to a configured budget so the worker rarely sees a 429.
/// The in-process implementation suits one replica; the Redis implementation shares one budget across all replicas.
/// </summary>
public interface IHubSpotRateLimiter
{
    /// <summary>Waits until one request of <paramref name="kind"/> fits in the budget, then counts it.</summary>
    ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the limiter HubSpot answered 429 anyway (another client shares the portal's budget, or requests reach HubSpot later
    /// than the window's margin allows): no request of <paramref name="kind"/> is let through before <paramref name="retryAfter"/>
    /// has passed, and the budget's window widens by <see cref="HubSpotOptions.RateLimitMarginStep"/> (at most
    /// <see cref="HubSpotOptions.MaxRateLimitWindowMargin"/> past where it started), so the same jitter does not draw the next 429.
    /// </summary>
    ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken);
}
