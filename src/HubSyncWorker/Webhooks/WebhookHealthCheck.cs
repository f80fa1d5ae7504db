using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HubSyncWorker.Webhooks;

/// <summary>
/// Refused webhook deliveries: degraded while any was refused in the last <see cref="WebhookRefusals.HealthWindow"/>, with the
/// counts by cause and the likely fix. Never unhealthy: the pod must stay in the Service, or HubSpot's next deliveries (and
/// every other replica's) would fail too; the incremental sync catches up on what the refused ones carried.
/// </summary>
internal sealed class WebhookHealthCheck(WebhookRefusals refusals) : IHealthCheck
{
    public const string Name = "webhooks";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (refusals.Recent() is not { } recent)
        {
            return Task.FromResult(HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture,
                $"No webhook delivery refused in the last {WebhookRefusals.HealthWindow.TotalMinutes:F0} minutes.")));
        }

        var total = recent.Counts.Values.Sum();
        var causes = string.Join(", ", recent.Counts.OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}")));
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{total} webhook deliveries refused since {recent.Since:O} ({causes}); HubSpot does not retry them, the incremental sync picks up their changes. Likely fix: {string.Join(" ", recent.Fixes)}");
        var data = new Dictionary<string, object>
        {
            ["refusedSince"] = recent.Since.ToString("O", CultureInfo.InvariantCulture),
            ["lastRefusedAt"] = recent.LastAt.ToString("O", CultureInfo.InvariantCulture),
            ["fix"] = recent.Fixes,
        };
        foreach (var (cause, count) in recent.Counts)
        {
            data["refused." + cause] = count;
        }

        return Task.FromResult(HealthCheckResult.Degraded(description, data: data));
    }
}
