using HubSyncWorker.Admin;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Policy;
using HubSyncWorker.Scheduling;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker;

/// <summary>Which parts of the worker a process runs.</summary>
[Flags]
internal enum WorkerFeatures
{
    /// <summary>Only the services (one-shot verbs such as <c>resync</c> and <c>setup</c>).</summary>
    None = 0,

    /// <summary>The HubSpot webhook endpoint.</summary>
    Webhooks = 1,

    /// <summary>The output-property bootstrap at start, the work-queue consumer and the Quartz schedules.</summary>
    Background = 2,

    All = Webhooks | Background,
}

/// <summary>The composition of the worker: every feature's registration in one place.</summary>
internal static class WorkerHost
{
    /// <summary>Registers the worker's services and the <paramref name="features"/> this process runs.</summary>
    public static IHostApplicationBuilder AddHubSyncWorker(this IHostApplicationBuilder builder, WorkerFeatures features = WorkerFeatures.All)
    {
        // Some registrations read their settings now (the schedules, the endpoints' paths), where the configuration binder would
        // stop at the first value it cannot convert: such values are set aside, to be listed with every other problem.
        Cli.UnknownSettings.SetAsideUnconvertible(builder);

        builder.AddStorage();
        builder.AddQualificationPolicy();
        builder.AddSync(runBackgroundServices: features.HasFlag(WorkerFeatures.Background));
        if (features.HasFlag(WorkerFeatures.Webhooks))
        {
            // Processes that serve no webhooks need no webhook secret.
            builder.AddWebhooks();
            builder.Services.AddHostedService<CredentialModeAnnouncement>();
        }

        if (features.HasFlag(WorkerFeatures.Background))
        {
            builder.AddScheduling();
        }

        builder.AddDiagnostics();
        builder.AddAdmin();
        return builder;
    }

    /// <summary>The worker's HTTP surface: liveness and the HubSpot webhook endpoint.</summary>
    public static WebApplication MapHubSyncWorker(this WebApplication app)
    {
        app.MapDiagnostics();
        if (app.Services.GetService<Webhooks.WebhookIntake>() is not null)
        {
            app.MapHubSpotWebhooks();
        }

        app.MapAdmin();
        return app;
    }
}
