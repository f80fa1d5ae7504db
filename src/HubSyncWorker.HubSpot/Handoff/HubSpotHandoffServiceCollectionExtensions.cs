using HubSyncWorker.HubSpot.Auth;
using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.HubSpot.Owners;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Resilience;
using HubSyncWorker.HubSpot.Serialization;
using HubSyncWorker.HubSpot.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot.Handoff;

/// <summary>Registers the HubSpot clients a handoff to sales needs.</summary>
public static class HubSpotHandoffServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IHubSpotHandoffClient"/> and its Refit contracts (Leads, owners, tasks) behind the same pipeline as the
    /// contacts client, in the same order: API version (<see cref="HubSpotOptions.ApiVersion"/>, plus the owners and v3-association
    /// paths) → auth → resilience (total timeout, retry, circuit breaker) → the shared rate limiter → attempt timeout. Call after
    /// <see cref="HubSpotServiceCollectionExtensions.AddHubSpotClient"/>: it reuses its options, limiter and handlers, so the handoff's
    /// calls spend the same portal budget as the contacts calls.
    /// </summary>
    public static IServiceCollection AddHubSpotHandoffClients(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(IHubSpotRateLimiter)))
        {
            throw new InvalidOperationException($"Call {nameof(HubSpotServiceCollectionExtensions.AddHubSpotClient)} before {nameof(AddHubSpotHandoffClients)}: the handoff clients share its options and rate budget.");
        }

        services.TryAddTransient<HubSpotHandoffPathHandler>();
        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HubSpotJson.Options));
        AddPipeline(services.AddRefitGeneratedClient<IHubSpotLeadsApi>(settings));
        AddPipeline(services.AddRefitGeneratedClient<IHubSpotOwnersApi>(settings));
        AddPipeline(services.AddRefitGeneratedClient<IHubSpotTasksApi>(settings));
        services.TryAddTransient<IHubSpotHandoffClient, HubSpotHandoffClient>();
        return services;
    }

    // The same chain as the contacts client (HubSpotServiceCollectionExtensions), with the handoff paths versioned right after the version handler.
    private static void AddPipeline(IHttpClientBuilder builder)
    {
        builder
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue;
                client.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/'));
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<HubSpotApiVersionHandler>()
            .AddHttpMessageHandler<HubSpotHandoffPathHandler>()
            .AddHttpMessageHandler<HubSpotAuthHandler>()

            // As for the contacts client: the default HttpClient loggers would put the bearer token in structured log state.
            .RemoveAllLoggers();
        builder.AddResilienceHandler(HubSpotResiliencePipeline.Name, (pipeline, context) =>
        {
            context.EnableReloads<HubSpotOptions>();
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue;
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("HubSyncWorker.HubSpot.Resilience");
            HubSpotResiliencePipeline.Configure(pipeline, options, context.ServiceProvider.GetRequiredService<TimeProvider>(), logger);
        });
        builder.AddHttpMessageHandler<HubSpotRateLimitHandler>();
        builder.AddHttpMessageHandler<HubSpotAttemptTimeoutHandler>();
    }
}
