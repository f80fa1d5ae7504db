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

        return builder;
    }

    /// <summary>The worker's HTTP surface: liveness and the HubSpot webhook endpoint.</summary>
    public static WebApplication MapHubSyncWorker(this WebApplication app)
    {
        app.MapGet("/alive", () => Results.Text("alive"));
        app.MapHubSpotWebhooks();
        return app;
    }
}
