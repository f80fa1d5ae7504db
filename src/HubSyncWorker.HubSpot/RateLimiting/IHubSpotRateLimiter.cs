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
    /// Tells the limiter HubSpot answered 429 anyway (another client shares the portal's budget):
    /// no request of <paramref name="kind"/> is let through before <paramref name="retryAfter"/> has passed.
    /// </summary>
    ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken);
}
