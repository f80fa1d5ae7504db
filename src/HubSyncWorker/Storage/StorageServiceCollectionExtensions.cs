using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Storage.InMemory;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage;

/// <summary>Registers the storage layer: Redis when <c>Redis:ConnectionString</c> is set, else the embedded in-memory store.</summary>
internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IWorkQueue"/>, <see cref="IWebhookInbox"/>, <see cref="ICheckpointStore"/>, <see cref="IDistributedLock"/>
    /// and <see cref="IDeadLetterStore"/>, validated <see cref="RedisOptions"/>, and in Redis mode one shared
    /// <see cref="IConnectionMultiplexer"/> and the shared <see cref="IHubSpotRateLimiter"/> (replacing any in-process limiter
    /// registered before; in embedded mode the HubSpot library's in-process limiter stays).
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedSection<RedisOptions, RedisOptionsRules>(builder.Configuration.GetSection(RedisOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<StorageModeAnnouncement>();
        services.TryAddSingleton<DeadLetterRetry>();
        services.TryAddSingleton<QueueBound>();
        services.TryAddSingleton<ReplicaConfirmation>();

        var connectionString = builder.Configuration[$"{RedisOptions.SectionName}:{nameof(RedisOptions.ConnectionString)}"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<IWorkQueue, InMemoryWorkQueue>();
            services.AddSingleton<IWebhookInbox, InMemoryWebhookInbox>();
            services.AddSingleton<InMemoryDistributedLock>();
            services.AddSingleton<IDistributedLock>(sp => sp.GetRequiredService<InMemoryDistributedLock>());
            services.AddSingleton<ICheckpointStore, InMemoryCheckpointStore>();
            services.AddSingleton<IDeadLetterStore, InMemoryDeadLetterStore>();
            return builder;
        }

        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(ConnectOptions(sp.GetRequiredService<IOptions<RedisOptions>>().Value)));
        services.AddSingleton<IWorkQueue, RedisWorkQueue>();
        services.AddSingleton<IWebhookInbox, RedisWebhookInbox>();
        services.AddSingleton<ICheckpointStore, RedisCheckpointStore>();
        services.AddSingleton<IDistributedLock, RedisDistributedLock>();
        services.AddSingleton<IDeadLetterStore, RedisDeadLetterStore>();
        services.AddHostedService<RedisEvictionPolicyCheck>();
        services.AddHostedService<RedisDeadConsumerSweep>();
        services.RemoveAll<IHubSpotRateLimiter>();
        services.AddSingleton<IHubSpotRateLimiter>(sp =>
        {
            var hubSpot = sp.GetService<IOptions<HubSpotOptions>>()?.Value ?? new HubSpotOptions();
            return new RedisRateLimiter(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<RedisOptions>>(),
                new RateBudget(hubSpot.RequestsPerTenSeconds, hubSpot.StandardWindow),
                new RateBudget(hubSpot.SearchRequestsPerSecond, hubSpot.SearchWindow),
                sp.GetRequiredService<TimeProvider>());
        });
        return builder;
    }

    /// <summary>
    /// Parses the connection string so the process starts even while Redis is briefly down (commands fail fast with
    /// <see cref="StorageUnavailableException"/> until it is back; the multiplexer reconnects on its own).
    /// </summary>
    internal static ConfigurationOptions ConnectOptions(RedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        if (!string.IsNullOrEmpty(options.Password))
        {
            configuration.Password = options.Password;
        }

        if (!string.IsNullOrEmpty(options.User))
        {
            configuration.User = options.User;
        }

        if (options.UseTls || !string.IsNullOrEmpty(options.CaCertificatePath))
        {
            configuration.Ssl = true;
        }

        if (!string.IsNullOrEmpty(options.CaCertificatePath))
        {
            configuration.TrustIssuer(options.CaCertificatePath);
        }

        return configuration;
    }

    /// <summary>The endpoints as host:port, for logs: never the password or anything else from the connection string.</summary>
    internal static string DescribeEndpoints(string connectionString) =>
        string.Join(", ", ConfigurationOptions.Parse(connectionString).EndPoints.Select(endpoint => endpoint switch
        {
            System.Net.DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
            System.Net.IPEndPoint ip => ip.ToString(),
            _ => endpoint.ToString() ?? "?",
        }));

    /// <summary>Says at start which store is active, so an operator never runs several replicas on the embedded one by mistake.</summary>
    private sealed class StorageModeAnnouncement(IOptions<RedisOptions> options, ILogger<StorageModeAnnouncement> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var value = options.Value;
            if (value.UsesEmbeddedStore)
            {
                Log.EmbeddedStoreActive(logger);
            }
            else
            {
                var endpoints = DescribeEndpoints(value.ConnectionString!);
                Log.RedisStoreActive(logger, endpoints, value.KeyPrefix);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
