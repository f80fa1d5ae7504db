using System.Diagnostics.Metrics;
using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class PrometheusMeterBridgeTests
{
    [Fact]
    public async Task Export_CounterHistogramAndGauge_PublishedUnderHubsyncNames()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var bridge = new PrometheusMeterBridge(factory);
        var meter = factory.Create("HubSyncWorker.Test");
        var counter = meter.CreateCounter<long>("hubsync.test.deliveries", "{delivery}", "Deliveries.");
        var histogram = meter.CreateHistogram<double>("hubsync.test.wait", "s", "Waits.");
        meter.CreateObservableGauge("hubsync.test.depth", () => 42L, "{item}", "Depth.");

        counter.Add(2, new KeyValuePair<string, object?>("outcome", "accepted"));
        counter.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));
        histogram.Record(0.25);

        var text = await ExportAsync(bridge.Registry);
        Assert.Contains("hubsync_test_deliveries_total{outcome=\"accepted\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("hubsync_test_wait_seconds_count 1", text, StringComparison.Ordinal);
        Assert.Contains("hubsync_test_wait_seconds_sum 0.25", text, StringComparison.Ordinal);
        Assert.Contains("hubsync_test_depth 42", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hubsyncworker_test", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_TagsInAnotherOrderOrMissing_EachValueLandsUnderItsOwnLabel()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var bridge = new PrometheusMeterBridge(factory);
        var counter = factory.Create("HubSyncWorker.Test").CreateCounter<long>("hubsync.test.events");

        counter.Add(1, new KeyValuePair<string, object?>("type", "contact.creation"), new KeyValuePair<string, object?>("outcome", "queued"));
        counter.Add(2, new KeyValuePair<string, object?>("outcome", "queued"), new KeyValuePair<string, object?>("type", "contact.creation"));
        counter.Add(4, new KeyValuePair<string, object?>("outcome", "duplicate"));
        counter.Add(8, new KeyValuePair<string, object?>("type", "contact.merge"), new KeyValuePair<string, object?>("outcome", 7));

        var text = await ExportAsync(bridge.Registry);
        Assert.Contains("hubsync_test_events_total{type=\"contact.creation\",outcome=\"queued\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("hubsync_test_events_total{type=\"\",outcome=\"duplicate\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("hubsync_test_events_total{type=\"contact.merge\",outcome=\"7\"} 8", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_TwoHostsInOneProcess_EachCountsOnlyItsOwnMeasurements()
    {
        using var servicesA = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var servicesB = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var bridgeA = new PrometheusMeterBridge(servicesA.GetRequiredService<IMeterFactory>());
        using var bridgeB = new PrometheusMeterBridge(servicesB.GetRequiredService<IMeterFactory>());

        servicesA.GetRequiredService<IMeterFactory>().Create("HubSyncWorker.Test").CreateCounter<long>("hubsync.test.isolated").Add(5);

        Assert.Contains("hubsync_test_isolated_total 5", await ExportAsync(bridgeA.Registry), StringComparison.Ordinal);
        Assert.DoesNotContain("hubsync_test_isolated_total", await ExportAsync(bridgeB.Registry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_MeterOutsideTheWorker_NotBridged()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var bridge = new PrometheusMeterBridge(factory);

        factory.Create("Some.Library").CreateCounter<long>("library.calls").Add(1);

        Assert.DoesNotContain("library_calls", await ExportAsync(bridge.Registry), StringComparison.Ordinal);
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
