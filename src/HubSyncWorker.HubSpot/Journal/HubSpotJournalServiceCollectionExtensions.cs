using HubSyncWorker.HubSpot.Auth;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Resilience;
using HubSyncWorker.HubSpot.Serialization;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>Registers the Webhooks Journal client.</summary>
public static class HubSpotJournalServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HubSpotJournalOptions"/> (bound to <paramref name="configurationSection"/>, usually
    /// <see cref="HubSpotJournalOptions.SectionName"/>, validated at start), the client-credentials token provider and
    /// <see cref="IHubSpotJournalClient"/>. Its calls go to <see cref="HubSpotOptions.BaseUrl"/> through client-credentials auth →
    /// the same resilience pipeline as the CRM client (total timeout, retry, circuit breaker) → attempt timeout, but not through the
    /// rate limiter: HubSpot exempts the journal from the 10-second and daily limits. Pre-signed files are fetched by a plain client.
    /// Call after <see cref="HubSpotServiceCollectionExtensions.AddHubSpotClient"/>: it reuses its options.
    /// </summary>
    public static IServiceCollection AddHubSpotJournalClient(this IServiceCollection services, IConfigurationSection configurationSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configurationSection);
        if (!services.Any(d => d.ServiceType == typeof(IHubSpotRateLimiter)))
        {
            throw new InvalidOperationException($"Call {nameof(HubSpotServiceCollectionExtensions.AddHubSpotClient)} before {nameof(AddHubSpotJournalClient)}: the journal client shares its base URL and resilience settings.");
        }

        services.AddValidatedSection<HubSpotJournalOptions, HubSpotJournalOptionsRules>(configurationSection);
        services.TryAddSingleton<ClientCredentialsTokenProvider>();
        services.TryAddTransient<ClientCredentialsAuthHandler>();

        // Both carry credentials (the form's secret, the URL's signature): the default HttpClient loggers go.
        services.AddHttpClient(ClientCredentialsTokenProvider.HttpClientName).RemoveAllLoggers();
        services.AddHttpClient(HubSpotJournalClient.FilesHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();

        var builder = services.AddRefitGeneratedClient<IHubSpotJournalApi>(new RefitSettings(new SystemTextJsonContentSerializer(HubSpotJson.Options)))
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue;
                client.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/'));
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<ClientCredentialsAuthHandler>()
            .RemoveAllLoggers();
        builder.AddResilienceHandler(HubSpotResiliencePipeline.Name, (pipeline, context) =>
        {
            context.EnableReloads<HubSpotOptions>();
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue;
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("HubSyncWorker.HubSpot.Resilience");
            HubSpotResiliencePipeline.Configure(pipeline, options, context.ServiceProvider.GetRequiredService<TimeProvider>(), logger);
        });
        builder.AddHttpMessageHandler<HubSpotAttemptTimeoutHandler>();
        services.TryAddTransient<IHubSpotJournalClient, HubSpotJournalClient>();
        return services;
    }
}
