using System.Net;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.RateLimiting;

/// <summary>
/// Innermost handler: every attempt (retries included) takes a slot of the right budget before it leaves, and a 429
/// tells the limiter to hold every caller of that budget back, not just the one that was refused.
/// </summary>
internal sealed class HubSpotRateLimitHandler(
    IHubSpotRateLimiter limiter,
    IOptionsMonitor<HubSpotOptions> options,
    TimeProvider timeProvider,
    ILogger<HubSpotRateLimitHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = HubSpotRetryAdvice.KindOf(request);
        await limiter.AcquireAsync(kind, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            await OnRateLimitedAsync(request, response, kind, cancellationToken);
        }

        return response;
    }

    private async Task OnRateLimitedAsync(HttpRequestMessage request, HttpResponseMessage response, HubSpotRequestKind kind, CancellationToken cancellationToken)
    {
        // Buffered, so the retry strategy and Refit can read the same body again.
        var error = await HubSpotErrorBody.ReadAsync(response, cancellationToken);
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (error?.PolicyName == HubSpotRetryAdvice.DailyPolicy)
        {
            Log.DailyLimitReached(logger, request.Method.Method, path);
            return;
        }

        var current = options.CurrentValue;
        var pause = HubSpotRetryAdvice.Wait(response.StatusCode, error?.PolicyName, HubSpotRetryAdvice.RetryAfter(response, timeProvider), current)
            ?? current.RetryBaseDelay;
        var pausedKind = HubSpotRetryAdvice.KindOfPolicy(error?.PolicyName, kind);
        Log.RateLimited(logger, error?.PolicyName, request.Method.Method, path, pausedKind.ToString(), pause);
        await limiter.PauseAsync(pausedKind, pause, cancellationToken);
    }
}
