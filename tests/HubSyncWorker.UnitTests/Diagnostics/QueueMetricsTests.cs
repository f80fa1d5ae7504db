using System.Diagnostics.Metrics;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class QueueMetricsTests
{
    [Fact]
    public void Current_ScrapedTwiceWithinCacheDuration_ReadsTheQueueOnce()
    {
        var (metrics, queue, time) = Create();

        var first = metrics.Current();
        time.Advance(TimeSpan.FromSeconds(4));
        var second = metrics.Current();

        Assert.Equal(1, queue.Reads);
        Assert.Equal(3, first!.Pending);
        Assert.Same(first, second);
    }

    [Fact]
    public void Current_AfterCacheDuration_ReadsTheQueueAgain()
    {
        var (metrics, queue, time) = Create();

        _ = metrics.Current();
        time.Advance(TimeSpan.FromSeconds(5));
        queue.Stats = new WorkQueueStats(7, 1, TimeSpan.FromSeconds(30));
        var later = metrics.Current();

        Assert.Equal(2, queue.Reads);
        Assert.Equal(7, later!.Pending);
    }

    [Fact]
    public void Current_StoreUnavailable_ReportsNothingRatherThanStaleNumbers()
    {
        var (metrics, queue, time) = Create();
        _ = metrics.Current();
        time.Advance(TimeSpan.FromSeconds(6));
        queue.Fail = true;

        Assert.Null(metrics.Current());
    }

    private static (QueueMetrics Metrics, CountingQueue Queue, FakeTimeProvider Time) Create()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var queue = new CountingQueue();
        var time = new FakeTimeProvider();
        var options = new StaticOptionsMonitor(new DiagnosticsOptions { QueueStatsCacheDuration = TimeSpan.FromSeconds(5) });
        return (new QueueMetrics(services.GetRequiredService<IMeterFactory>(), queue, options, time, NullLogger<QueueMetrics>.Instance), queue, time);
    }

    private sealed class CountingQueue : IWorkQueue
    {
        public int Reads { get; private set; }

        public WorkQueueStats Stats { get; set; } = new(3, 0, TimeSpan.FromSeconds(2));

        public bool Fail { get; set; }

        public Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return Fail ? Task.FromException<WorkQueueStats>(new StorageUnavailableException("down", new TimeoutException())) : Task.FromResult(Stats);
        }

        public Task EnqueueAsync(IReadOnlyCollection<WorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<LeasedWorkItem>> ReadAsync(string consumer, int maxCount, TimeSpan wait, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AcknowledgeAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExtendAsync(string consumer, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class StaticOptionsMonitor(DiagnosticsOptions value) : IOptionsMonitor<DiagnosticsOptions>
    {
        public DiagnosticsOptions CurrentValue => value;

        public DiagnosticsOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DiagnosticsOptions, string?> listener) => null;
    }
}
