using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace HubSyncWorker.HubSpot.Resilience;

/// <summary>
/// Bounds one HTTP attempt by <see cref="HubSpotOptions.AttemptTimeout"/>, measured from the moment the request leaves the rate
/// limiter (time spent waiting for the budget is not HubSpot's). A timed-out attempt surfaces as <see cref="TimeoutRejectedException"/>,
/// which the retry and circuit-breaker strategies handle like Polly's own attempt timeout.
/// </summary>
internal sealed class HubSpotAttemptTimeoutHandler(IOptionsMonitor<HubSpotOptions> options, TimeProvider timeProvider) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var timeout = options.CurrentValue.AttemptTimeout;
        using var attempt = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
        try
        {
            return await base.SendAsync(request, linked.Token);
        }
        catch (OperationCanceledException ex) when (attempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutRejectedException($"HubSpot did not answer within the attempt timeout ({timeout}).", timeout, ex);
        }
    }
}
