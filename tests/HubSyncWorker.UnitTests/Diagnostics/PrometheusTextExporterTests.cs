using System.Diagnostics.Metrics;
using System.Globalization;
using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HubSyncWorker.UnitTests.Diagnostics;

/// <summary>The Prometheus text the OpenTelemetry pipeline of one host serves, from meters of that host's <see cref="IMeterFactory"/>.</summary>
public sealed class PrometheusTextExporterTests
{
    [Fact]
    public async Task Scrape_CounterHistogramAndGauge_PublishedUnderHubsyncNames()
    {
        using var host = await StartAsync();
        var meter = host.Services.GetRequiredService<IMeterFactory>().Create("HubSyncWorker.Test");
        var counter = meter.CreateCounter<long>("hubsync.test.deliveries", "{delivery}", "Deliveries.");
        var histogram = meter.CreateHistogram<double>("hubsync.test.wait", "s", "Waits.");
        meter.CreateObservableGauge("hubsync.test.depth", () => 42L, "{item}", "Depth.");

        counter.Add(2, new KeyValuePair<string, object?>("outcome", "accepted"));
        counter.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));
        histogram.Record(0.25);

        var text = Scrape(host);
        Assert.Contains("# TYPE hubsync_test_deliveries_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP hubsync_test_deliveries_total Deliveries.\n", text, StringComparison.Ordinal);
        Assert.Equal(3, Sample(text, "hubsync_test_deliveries_total", ("outcome", "accepted")));
        Assert.Contains("# TYPE hubsync_test_wait_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "hubsync_test_wait_seconds_count"));
        Assert.Equal(0.25, Sample(text, "hubsync_test_wait_seconds_sum"));
        Assert.Equal(0, Sample(text, "hubsync_test_wait_seconds_bucket", ("le", "0.128")));
        Assert.Equal(1, Sample(text, "hubsync_test_wait_seconds_bucket", ("le", "0.256")));
        Assert.Equal(1, Sample(text, "hubsync_test_wait_seconds_bucket", ("le", "+Inf")));
        Assert.Contains("# TYPE hubsync_test_depth gauge\n", text, StringComparison.Ordinal);
        Assert.Equal(42, Sample(text, "hubsync_test_depth"));
        Assert.Contains("# TYPE dotnet_gc_collections_total counter\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_TagsInAnotherOrderOrMissingOrNotText_EachValueLandsUnderItsOwnLabel()
    {
        using var host = await StartAsync();
        var counter = host.Services.GetRequiredService<IMeterFactory>().Create("HubSyncWorker.Test").CreateCounter<long>("hubsync.test.events");

        counter.Add(1, new KeyValuePair<string, object?>("type", "contact.creation"), new KeyValuePair<string, object?>("outcome", "queued"));
        counter.Add(2, new KeyValuePair<string, object?>("outcome", "queued"), new KeyValuePair<string, object?>("type", "contact.creation"));
        counter.Add(4, new KeyValuePair<string, object?>("outcome", "duplicate"));
        counter.Add(8, new KeyValuePair<string, object?>("type", "contact \"merge\""), new KeyValuePair<string, object?>("outcome", 7));

        var text = Scrape(host);
        Assert.Equal(3, Sample(text, "hubsync_test_events_total", ("type", "contact.creation"), ("outcome", "queued")));
        Assert.Equal(4, Sample(text, "hubsync_test_events_total", ("outcome", "duplicate")));
        Assert.Equal(8, Sample(text, "hubsync_test_events_total", ("type", "contact \\\"merge\\\""), ("outcome", "7")));
    }

    [Fact]
    public async Task Scrape_TwoHostsInOneProcess_EachCountsOnlyItsOwnMeasurements()
    {
        using var hostA = await StartAsync();
        using var hostB = await StartAsync();

        hostA.Services.GetRequiredService<IMeterFactory>().Create("HubSyncWorker.Test").CreateCounter<long>("hubsync.test.isolated").Add(5);
        hostB.Services.GetRequiredService<IMeterFactory>().Create("HubSyncWorker.Test").CreateCounter<long>("hubsync.test.isolated").Add(1);

        Assert.Equal(5, Sample(Scrape(hostA), "hubsync_test_isolated_total"));
        Assert.Equal(1, Sample(Scrape(hostB), "hubsync_test_isolated_total"));
    }

    [Fact]
    public async Task Scrape_MeterOutsideTheWorkerOrCreatedWithoutTheFactory_NotExported()
    {
        using var host = await StartAsync();
        using var global = new Meter("HubSyncWorker.Global");

        host.Services.GetRequiredService<IMeterFactory>().Create("Some.Library").CreateCounter<long>("library.calls").Add(1);
        global.CreateCounter<long>("hubsync.test.global").Add(1);

        var text = Scrape(host);
        Assert.DoesNotContain("library_calls", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hubsync_test_global", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hubsync.webhook.events", "{event}", true, "hubsync_webhook_events_total")]
    [InlineData("hubsync.queue.latency", "s", false, "hubsync_queue_latency_seconds")]
    [InlineData("hubsync.hubspot.rate_budget.wait", "s", false, "hubsync_hubspot_rate_budget_wait_seconds")]
    [InlineData("process.cpu.time_seconds", "s", true, "process_cpu_time_seconds_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("hubsync.queue.depth", "{entry}", false, "hubsync_queue_depth")]
    public void PrometheusName_InstrumentNameAndUnit_NameAsBefore(string instrument, string unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusTextExporter.PrometheusName(instrument, unit, counter));

    private static async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.Services.AddMetrics();
        builder.AddWorkerTelemetry();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string Scrape(IHost host) => host.Services.GetRequiredService<PrometheusEndpoint>().Scrape();

    /// <summary>The value of the sample with this name and exactly these labels, in any order; null when absent.</summary>
    private static double? Sample(string text, string name, params (string Name, string Value)[] labels)
    {
        var wanted = labels.Select(l => $"{l.Name}=\"{l.Value}\"").Order(StringComparer.Ordinal).ToList();
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (space < 0 || line.StartsWith('#'))
            {
                continue;
            }

            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            var lineName = brace < 0 ? series : series[..brace];
            var lineLabels = brace < 0 ? [] : SplitLabels(series[(brace + 1)..^1]);
            if (lineName == name && lineLabels.Order(StringComparer.Ordinal).SequenceEqual(wanted))
            {
                return double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static List<string> SplitLabels(string labels)
    {
        var result = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == '\\')
            {
                i++;
            }
            else if (labels[i] == '"')
            {
                quoted = !quoted;
            }
            else if (labels[i] == ',' && !quoted)
            {
                result.Add(labels[start..i]);
                start = i + 1;
            }
        }

        result.Add(labels[start..]);
        return result;
    }
}
