using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Refit;

namespace HubSyncWorker.Sync;

internal static class SyncExtensions
{
    /// <summary>
    /// The sync engine: HubSpot client, snapshot reader, processor, write-back, full and incremental sync, the work-queue consumer,
    /// and the output-property bootstrap at start. Requires the storage layer and the qualification policy.
    /// </summary>
    public static IHostApplicationBuilder AddSync(this IHostApplicationBuilder builder, bool runBackgroundServices = true)
    {
        var services = builder.Services;
        services.AddHubSpotClient(builder.Configuration.GetSection(HubSpotOptions.SectionName));
        services.AddValidatedSection<SyncOptions, SyncOptionsRules>(builder.Configuration.GetSection(SyncOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<SyncMetrics>();
        services.TryAddSingleton<ContactSnapshotReader>();
        services.TryAddSingleton<ContactWriteBack>();
        services.TryAddSingleton<ContactBatchProcessor>();
        services.TryAddSingleton<FullResync>();
        services.TryAddSingleton<ResyncCallMetrics>();
        services.TryAddSingleton<IncrementalSync>();
        services.TryAddSingleton<LiveSyncReport>();
        services.TryAddSingleton<OutputPropertyBootstrap>();
        services.TryAddSingleton<WorkQueueConsumer>();

        // One gate for every path that calls HubSpot: a refused token pauses work instead of failing (and dead-lettering) it.
        services.TryAddSingleton<HubSpotTokenProbe>();
        services.TryAddSingleton<HubSpotAccessGate>();
        services.TryAddTransient<HubSpotAccessHandler>();
        services.AddHttpClient(UniqueName.ForType<IHubSpotContactsApi>()).AddHttpMessageHandler<HubSpotAccessHandler>();
        services.AddHttpClient(UniqueName.ForType<IHubSpotPropertiesApi>()).AddHttpMessageHandler<HubSpotAccessHandler>();
        services.AddHealthChecks().AddCheck<HubSpotAccessHealthCheck>(HubSpotAccessHealthCheck.Name, tags: [DiagnosticsExtensions.ReadyTag]);

        // Closed until the background bootstrap succeeds when one runs here; the one-shot verbs run it themselves, first.
        services.TryAddSingleton(new BootstrapGate(open: !runBackgroundServices));
        if (runBackgroundServices)
        {
            services.AddHostedService<OutputPropertyBootstrapService>();
            var settings = ValidatedSections.Read<SyncOptions>(builder.Configuration.GetSection(SyncOptions.SectionName));
            if (settings.QueueConsumerEnabled)
            {
                services.AddHostedService(sp => sp.GetRequiredService<WorkQueueConsumer>());
            }
        }

        return builder;
    }
}
