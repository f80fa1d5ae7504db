using HubSyncWorker.HubSpot.Journal;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.HubSpot.UnitTests.Journal;

/// <summary>The real composition (<c>AddHubSpotClient</c> + <c>AddHubSpotJournalClient</c>) on a fake clock, pointed at a WireMock server.</summary>
internal sealed class JournalTestHost : IDisposable
{
    /// <summary>Distinctive values, so a test can prove they never reach a log line or a message.</summary>
    public const string ClientSecret = "cs-5b1d-secret-do-not-log";

    private JournalTestHost(ServiceProvider services, FakeTimeProvider clock)
    {
        Services = services;
        Clock = clock;
        Logs = services.GetFakeLogCollector();
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public IHubSpotJournalClient Client => Services.GetRequiredService<IHubSpotJournalClient>();

    public FakeLogCollector Logs { get; }

    public static JournalTestHost Create(string baseUrl, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = HubSpotTestHost.FastSettings(baseUrl);
        settings["HubSpot:MaxRetryAttempts"] = "1";
        settings["HubSpotJournal:ClientId"] = "client-1";
        settings["HubSpotJournal:ClientSecret"] = ClientSecret;
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        collection.AddSingleton<TimeProvider>(clock);
        collection.AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName));
        collection.AddHubSpotJournalClient(configuration.GetSection(HubSpotJournalOptions.SectionName));
        return new JournalTestHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), clock);
    }

    /// <summary>Every log line's message and structured values, for leak checks.</summary>
    public string AllLogText() => string.Join("\n", Logs.GetSnapshot().Select(r =>
        r.Message + " " + string.Join(" ", (r.StructuredState ?? []).Select(p => p.Value)) + " " + r.Exception));

    public void Dispose() => Services.Dispose();
}
