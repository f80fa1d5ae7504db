using System.Net;
using HubSyncWorker.HubSpot.RateLimiting;

namespace HubSyncWorker.HubSpot.Resilience;

/// <summary>What HubSpot's answers mean for retrying: which statuses are transient, and how long to wait.</summary>
internal static class HubSpotRetryAdvice
{
    public const string TenSecondlyPolicy = "TEN_SECONDLY_ROLLING";
    public const string SecondlyPolicy = "SECONDLY";
    public const string DailyPolicy = "DAILY";

    /// <summary>HubSpot's "migration in progress" status; answered with <c>Retry-After</c>.</summary>
    public const HttpStatusCode MigrationInProgress = (HttpStatusCode)477;

    public static HubSpotRequestKind KindOf(HttpRequestMessage? request) =>
        request?.RequestUri is { } uri && (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString).TrimEnd('/').EndsWith("/search", StringComparison.OrdinalIgnoreCase)
            ? HubSpotRequestKind.Search
            : HubSpotRequestKind.Standard;

    /// <summary>Statuses worth another attempt. A 429 is transient unless its policy is <c>DAILY</c> (checked separately).</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Locked or MigrationInProgress || (int)status >= 500;

    /// <summary>Statuses that count as the server failing, for the circuit breaker (rate limits and locks do not).</summary>
    public static bool IsServerFailure(HttpStatusCode status) => (int)status >= 500;

    /// <summary>The server's <c>Retry-After</c>, in seconds or as an HTTP date, as a non-negative wait.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>
    /// The wait before retrying <paramref name="status"/>: <c>Retry-After</c> whenever present, otherwise the wait the
    /// policy implies, or <see langword="null"/> for the jittered exponential backoff.
    /// </summary>
    public static TimeSpan? Wait(HttpStatusCode status, string? policyName, TimeSpan? retryAfter, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (retryAfter is { } honoured)
        {
            return honoured;
        }

        return status switch
        {
            HttpStatusCode.TooManyRequests when policyName == TenSecondlyPolicy => options.TenSecondlyRetryDelay,
            HttpStatusCode.TooManyRequests when policyName == SecondlyPolicy => options.SecondlyRetryDelay,
            HttpStatusCode.Locked => options.LockedRetryDelay,
            _ => null,
        };
    }

    /// <summary>The budget a 429 policy refers to; the request's own kind when the policy is unknown.</summary>
    public static HubSpotRequestKind KindOfPolicy(string? policyName, HubSpotRequestKind requestKind) => policyName switch
    {
        TenSecondlyPolicy => HubSpotRequestKind.Standard,
        SecondlyPolicy => HubSpotRequestKind.Search,
        _ => requestKind,
    };
}
