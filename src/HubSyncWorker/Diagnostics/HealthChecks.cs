using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// The shared store: PING through the process's one multiplexer in Redis mode; always healthy on the embedded store (it lives in
/// this process). Unhealthy when Redis does not answer within <see cref="DiagnosticsOptions.HealthCheckTimeout"/>.
/// </summary>
internal sealed class StoreHealthCheck(IServiceProvider services, IOptionsMonitor<DiagnosticsOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public const string Name = "store";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Resolved lazily: the multiplexer is registered only in Redis mode.
        var multiplexer = services.GetService<IConnectionMultiplexer>();
        if (multiplexer is null)
        {
            return HealthCheckResult.Healthy("embedded store (in this process; no Redis configured)");
        }

        try
        {
            var roundTrip = await multiplexer.GetDatabase().PingAsync().WaitAsync(options.CurrentValue.HealthCheckTimeout, timeProvider, cancellationToken);
            return HealthCheckResult.Healthy(FormattableString.Invariant($"Redis answered PING in {roundTrip.TotalMilliseconds:F1} ms"));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The exception type only: a message could carry the endpoint list, and a connection string could carry a password.
            return HealthCheckResult.Unhealthy($"Redis did not answer PING ({ex.GetType().Name})");
        }
    }
}

/// <summary>
/// The HubSpot access token, from the cached <see cref="HubSpotTokenProbe"/>: unhealthy when HubSpot rejects it (401/403),
/// degraded when HubSpot cannot be asked (the worker still queues webhooks, so it stays ready), healthy when accepted.
/// </summary>
internal sealed class HubSpotTokenHealthCheck(HubSpotTokenProbe probe) : IHealthCheck
{
    public const string Name = "hubspot-token";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var check = await probe.CurrentAsync(cancellationToken);
        var data = check is null
            ? new Dictionary<string, object>()
            : new Dictionary<string, object> { ["checkedAt"] = check.CheckedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        return check?.State switch
        {
            TokenState.Accepted => HealthCheckResult.Healthy(check.Description, data),
            TokenState.Rejected => HealthCheckResult.Unhealthy(check.Description, data: data),
            TokenState.Unknown => HealthCheckResult.Degraded(check.Description, data: data),
            _ => HealthCheckResult.Degraded("The first token check has not finished yet."),
        };
    }
}
