using HubSyncWorker.Admin;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Policy;
using HubSyncWorker.Scheduling;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker;

/// <summary>The composition of the worker: every feature's registration in one place.</summary>
internal static class WorkerHost
{
    /// <summary>
    /// Registers the whole worker. With <paramref name="background"/> false (one-shot verbs such as <c>resync</c> and <c>setup</c>)
    /// nothing runs in the background: no queue consumer, no schedules.
    /// </summary>
    public static IHostApplicationBuilder AddHubSyncWorker(this IHostApplicationBuilder builder, bool background = true)
    {
        builder.AddStorage();
        builder.AddQualificationPolicy();
        builder.AddSync(runBackgroundServices: background);
        builder.AddWebhooks();
        if (background)
        {
            builder.AddScheduling();
        }

        builder.AddDiagnostics();
        builder.AddAdmin();

        return builder;
    }

    /// <summary>The worker's HTTP surface: probes and metrics, the HubSpot webhook endpoint, the admin endpoints.</summary>
    public static WebApplication MapHubSyncWorker(this WebApplication app)
    {
        app.MapDiagnostics();
        app.MapHubSpotWebhooks();
        app.MapAdmin();
        return app;
    }
}
