using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.HubSpot.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubSyncWorker.Webhooks;

internal static class WebhooksExtensions
{
    /// <summary>
    /// The HubSpot webhook receiver: options, signature verification, the delivery reader, intake, metrics and the health check
    /// of refused deliveries.
    /// </summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSection<WebhookOptions, WebhookOptionsRules>(builder.Configuration.GetSection(WebhookOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<WebhookSignatureVerifier>();
        builder.Services.TryAddSingleton<WebhookDeliveryReader>();
        builder.Services.TryAddSingleton<WebhookMetrics>();
        builder.Services.TryAddSingleton<WebhookIntake>();
        builder.Services.TryAddSingleton<WebhookRefusals>();
        builder.Services.AddHealthChecks().AddCheck<WebhookHealthCheck>(WebhookHealthCheck.Name, tags: [DiagnosticsExtensions.ReadyTag]);
        return builder;
    }
}
