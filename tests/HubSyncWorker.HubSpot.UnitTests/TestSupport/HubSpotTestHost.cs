using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace HubSyncWorker.HubSpot.UnitTests.TestSupport;

/// <summary>The real DI composition (<see cref="HubSpotServiceCollectionExtensions.AddHubSpotClient"/>) pointed at a WireMock server.</summary>
internal sealed class HubSpotTestHost : IDisposable
{
    /// <summary>A distinctive token, so a test can prove it never reaches a log line.</summary>
    public const string Token = "pat-na1-7f3e1c2a-secret-token-do-not-log";

    private HubSpotTestHost(ServiceProvider services, IConfigurationRoot configuration)
    {
        Configuration = configuration;
        Services = services;
        Client = services.GetRequiredService<IHubSpotCrmClient>();
        Logs = services.GetFakeLogCollector();
    }

    public ServiceProvider Services { get; }

    public IConfigurationRoot Configuration { get; }

    public IHubSpotCrmClient Client { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>Settings that keep tests fast under <see cref="AcceleratedTimeProvider"/> (20× real time) and never rate-limit by default.</summary>
    public static Dictionary<string, string?> FastSettings(string baseUrl) => new()
    {
        ["HubSpot:BaseUrl"] = baseUrl,
        ["HubSpot:AllowCustomBaseUrl"] = "true",
        ["HubSpot:AccessToken"] = Token,
        ["HubSpot:RequestsPerTenSeconds"] = "1000",
        ["HubSpot:SearchRequestsPerSecond"] = "5",
        ["HubSpot:AttemptTimeout"] = "00:01:00",
        ["HubSpot:TotalTimeout"] = "00:10:00",
        ["HubSpot:RetryBaseDelay"] = "00:00:00.100",
        ["HubSpot:MaxRetryAttempts"] = "3",
        ["HubSpot:CircuitBreakerSamplingDuration"] = "00:05:00",
        ["HubSpot:CircuitBreakerMinimumThroughput"] = "100",
    };

    public static HubSpotTestHost Create(
        string baseUrl,
        Action<Dictionary<string, string?>>? configure = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? services = null)
    {
        var settings = FastSettings(baseUrl);
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        collection.AddSingleton(timeProvider ?? new AcceleratedTimeProvider(20));
        services?.Invoke(collection);
        collection.AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName));
        return new HubSpotTestHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), configuration);
    }

    /// <summary>Every structured value logged under <paramref name="eventId"/>, one dictionary per log line.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Events(int eventId) =>
        [.. Logs.GetSnapshot().Where(r => r.Id.Id == eventId).Select(r => (IReadOnlyDictionary<string, string?>)(r.StructuredState ?? []).ToDictionary(p => p.Key, p => p.Value))];

    public void Dispose() => Services.Dispose();
}
