using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.HubSpot.Owners;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        // The contacts client's chain, with the handoff paths (owners, v3 associations) versioned right after the version handler.
        static void HandoffPaths(IHttpClientBuilder builder) => builder.AddHttpMessageHandler<HubSpotHandoffPathHandler>();
        HubSpotServiceCollectionExtensions.AddHubSpotPipeline(services.AddRefitGeneratedClient<IHubSpotLeadsApi>(settings), HandoffPaths);
        HubSpotServiceCollectionExtensions.AddHubSpotPipeline(services.AddRefitGeneratedClient<IHubSpotOwnersApi>(settings), HandoffPaths);
        HubSpotServiceCollectionExtensions.AddHubSpotPipeline(services.AddRefitGeneratedClient<IHubSpotTasksApi>(settings), HandoffPaths);
        services.TryAddTransient<IHubSpotHandoffClient, HubSpotHandoffClient>();
        return services;
    }
}
