using HubSyncWorker.HubSpot.Auth;
using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Resilience;
using HubSyncWorker.HubSpot.Serialization;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.HubSpot.Versioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot;

/// <summary>Registers the HubSpot CRM client.</summary>
public static class HubSpotServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HubSpotOptions"/> (bound to <paramref name="configurationSection"/>, validated at start), the Refit
    /// contracts behind the API version (<see cref="HubSpotOptions.ApiVersion"/>) → auth → resilience (total timeout, retry, circuit breaker, attempt timeout) → rate limiting,
    /// <see cref="IHubSpotCrmClient"/>, <see cref="HubSpotPropertyBootstrapper"/> and an in-process <see cref="IHubSpotRateLimiter"/>
    /// (added with TryAdd: register a shared one before this call to replace it). Uses the registered <see cref="TimeProvider"/>, or the system one.
    /// </summary>
    public static IServiceCollection AddHubSpotClient(this IServiceCollection services, IConfigurationSection configurationSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configurationSection);

        services.AddValidatedSection<HubSpotOptions, HubSpotOptionsRules>(configurationSection);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHubSpotRateLimiter, RollingWindowRateLimiter>();
        services.TryAddTransient<HubSpotApiVersionHandler>();
        services.TryAddTransient<HubSpotAuthHandler>();
        services.TryAddTransient<HubSpotRateLimitHandler>();
        services.TryAddTransient<HubSpotAttemptTimeoutHandler>();

        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HubSpotJson.Options));
        AddHubSpotPipeline(services.AddRefitGeneratedClient<IHubSpotContactsApi>(settings));
        AddHubSpotPipeline(services.AddRefitGeneratedClient<IHubSpotPropertiesApi>(settings));

        services.TryAddTransient<IHubSpotCrmClient, HubSpotCrmClient>();
        services.TryAddTransient<HubSpotPropertyBootstrapper>();
        return services;
    }

    // Handlers run in the order added: the API version into the path (and any paths of the client's own, addPathHandlers) and auth once per call,
    // the resilience pipeline around the attempts, the limiter per attempt, then the attempt timeout (which starts once the limiter lets the request go).
    // Every HubSpot client of this project is built on it, so all spend the same portal budget through the same resilience.
    internal static void AddHubSpotPipeline(IHttpClientBuilder builder, Action<IHttpClientBuilder>? addPathHandlers = null)
    {
        builder
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue;
                client.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/'));

                // The resilience pipeline owns every timeout; HttpClient's own 100 s default would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<HubSpotApiVersionHandler>();
        addPathHandlers?.Invoke(builder);
        builder
            .AddHttpMessageHandler<HubSpotAuthHandler>()
            // HttpClientFactory's default trace logging redacts header values in the message but (in 10.0) keeps the raw
            // Authorization value in the structured state, which JSON log formatters print: the bearer token would leak.
            // Our own [LoggerMessage] events cover retries, rate limits and the breaker, so the default loggers go.
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
