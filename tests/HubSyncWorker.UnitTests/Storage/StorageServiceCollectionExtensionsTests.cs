using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.InMemory;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class StorageServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddStorage_NoConnectionString_UsesEmbeddedStoreAndSaysSoAtStart()
    {
        using var host = Build([]);

        await host.StartAsync();
        await host.StopAsync();

        Assert.IsType<InMemoryWorkQueue>(host.Services.GetRequiredService<IWorkQueue>());
        Assert.IsType<InMemoryWebhookInbox>(host.Services.GetRequiredService<IWebhookInbox>());
        Assert.IsType<InMemoryCheckpointStore>(host.Services.GetRequiredService<ICheckpointStore>());
        Assert.IsType<InMemoryDistributedLock>(host.Services.GetRequiredService<IDistributedLock>());
        Assert.IsType<InMemoryDeadLetterStore>(host.Services.GetRequiredService<IDeadLetterStore>());
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(),
            r => r.Level == LogLevel.Warning && r.Message.Contains("Embedded in-memory store: one replica only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddStorage_ConnectionString_RegistersRedisStoresAndLogsHostPortWithoutPassword()
    {
        using var host = Build(new() { ["Redis:ConnectionString"] = "127.0.0.1:1,password=hunter2-secret" },
            services => services.AddSingleton<IHubSpotRateLimiter, UnusedLimiter>());

        await host.StartAsync();
        await host.StopAsync();

        var registrations = host.Services.GetRequiredService<IServiceProviderIsService>();
        Assert.True(registrations.IsService(typeof(StackExchange.Redis.IConnectionMultiplexer)));
        var messages = host.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message).ToList();
        Assert.Contains(messages, m => m.Contains("Redis store active at 127.0.0.1:1", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void AddStorage_ConnectionString_ReplacesTheInProcessRateLimiterAndUsesRedisStores()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:ConnectionString"] = "127.0.0.1:1" });
        builder.Services.AddSingleton<IHubSpotRateLimiter, UnusedLimiter>();

        builder.AddStorage();

        Assert.Equal(typeof(RedisWorkQueue), Single<IWorkQueue>(builder.Services).ImplementationType);
        Assert.Equal(typeof(RedisWebhookInbox), Single<IWebhookInbox>(builder.Services).ImplementationType);
        Assert.Equal(typeof(RedisDistributedLock), Single<IDistributedLock>(builder.Services).ImplementationType);
        var limiter = Single<IHubSpotRateLimiter>(builder.Services);
        Assert.NotNull(limiter.ImplementationFactory);
    }

    [Fact]
    public async Task AddStorage_InvalidOption_StopsStartNamingTheKey()
    {
        using var host = Build(new() { ["Redis:ClaimIdleTime"] = "-00:01:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Redis:ClaimIdleTime", error.Message, StringComparison.Ordinal);
        Assert.Contains("'-00:01:00'", error.Message, StringComparison.Ordinal);
    }

    private static ServiceDescriptor Single<T>(IServiceCollection services) => Assert.Single(services, d => d.ServiceType == typeof(T));

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        configure?.Invoke(builder.Services);
        builder.AddStorage();
        return builder.Build();
    }

    private sealed class UnusedLimiter : IHubSpotRateLimiter
    {
        public ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
