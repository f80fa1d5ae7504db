using BenchmarkDotNet.Attributes;
using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using HubSyncWorker.Webhooks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Benchmarks.Webhooks;

/// <summary>
/// The worker's CPU and allocation for the durable half of a delivery: <see cref="WebhookIntake.AcceptAsync"/> (triage, then the
/// Redis inbox script: dedupe check and mark, queue) against a real <c>redis-server</c> (from PATH or <c>HUBSYNC_REDIS_SERVER</c>),
/// for 10-event deliveries of new events. <see cref="Deliveries"/> deliveries are accepted at once, as concurrent requests are, so
/// several share one script (group commit). The allocation counts every thread (the commit loop and the Redis client included).
/// </summary>
[MemoryDiagnoser]
public class WebhookIntakeBenchmarks
{
    private const int EventsPerDelivery = 10;

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private WebhookIntake _intake = null!;
    private HubSpotWebhookEvent[][] _deliveries = null!;
    private Task<WebhookIntakeSummary>[] _pending = null!;
    private long _nextEventId;

    /// <summary>Deliveries accepted together per operation.</summary>
    [Params(1, 5)]
    public int Deliveries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisServer.StartAsync().GetAwaiter().GetResult();
        _multiplexer = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        var redisOptions = Options.Create(new RedisOptions { ConnectionString = _redis.ConnectionString, KeyPrefix = "bench:" });
        var webhookOptions = new WebhookOptions { ClientSecret = "bench-secret" };
        _intake = new WebhookIntake(
            new RedisWebhookInbox(_multiplexer, redisOptions),
            new RedisDeadLetterStore(_multiplexer, redisOptions),
            new WatchedProperties(),
            new WebhookMetrics(new MeterFactory()),
            TimeProvider.System,
            new StaticOptionsMonitor<WebhookOptions>(webhookOptions));

        var occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _deliveries = new HubSpotWebhookEvent[Deliveries][];
        for (var d = 0; d < Deliveries; d++)
        {
            _deliveries[d] = new HubSpotWebhookEvent[EventsPerDelivery];
            for (var j = 0; j < EventsPerDelivery; j++)
            {
                _deliveries[d][j] = new HubSpotWebhookEvent
                {
                    SubscriptionId = 11, PortalId = 62515, AppId = 999, OccurredAt = occurredAt, SubscriptionType = "contact.propertyChange",
                    AttemptNumber = 0, ObjectId = 5000 + (d * EventsPerDelivery) + j, SourceId = "userId:42", PropertyName = "hs_email_click",
                };
            }
        }

        _pending = new Task<WebhookIntakeSummary>[Deliveries];
        var summary = AcceptAsync().GetAwaiter().GetResult();
        if (summary != Deliveries * EventsPerDelivery)
        {
            throw new InvalidOperationException($"The benchmark's deliveries queued {summary} contacts, not {Deliveries * EventsPerDelivery}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _multiplexer.Dispose();
        _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Every event new (a fresh event id), as under load.</summary>
    [Benchmark]
    public async Task<int> AcceptAsync()
    {
        foreach (var delivery in _deliveries)
        {
            foreach (var e in delivery)
            {
                e.EventId = ++_nextEventId;
            }
        }

        for (var d = 0; d < _deliveries.Length; d++)
        {
            _pending[d] = _intake.AcceptAsync(_deliveries[d], CancellationToken.None);
        }

        var queued = 0;
        foreach (var pending in _pending)
        {
            queued += (await pending).Queued;
        }

        return queued;
    }

    private sealed class WatchedProperties : IContactPropertyFilter
    {
        public bool IsWatched(string propertyName) => propertyName is "hs_email_click" or "jobtitle";

        public bool IsOutput(string propertyName) => propertyName.StartsWith("hubsync_", StringComparison.Ordinal);
    }

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private sealed class MeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
