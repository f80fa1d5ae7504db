using System.Diagnostics;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisWorkQueueTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task ReadAsync_AfterEnqueue_HandsOutItemsOnceAndAcknowledgeRemovesThem()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("101", WorkReason.Webhook, At), new WorkItem("102", WorkReason.IncrementalSync, At.AddSeconds(1))], default);

        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);

        Assert.Equal(["101", "102"], leased.Select(l => l.Item.ContactId));
        Assert.Equal(new WorkItem("101", WorkReason.Webhook, At), leased[0].Item);
        Assert.Equal(new WorkItem("102", WorkReason.IncrementalSync, At.AddSeconds(1)), leased[1].Item);
        Assert.All(leased, l => Assert.Equal(1, l.DeliveryCount));
        var inFlight = await queue.GetStatsAsync(default);
        Assert.Equal((0, 2), (inFlight.Pending, inFlight.Unacknowledged));
        Assert.NotNull(inFlight.OldestAge);

        await queue.AcknowledgeAsync(leased, default);

        Assert.Empty(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
        Assert.Equal(0, await _connection.GetDatabase().StreamLengthAsync(StreamKey(queue)));
    }

    [Fact]
    public async Task EnqueueAsync_SameContactTwiceBeforeRead_QueuesOneEntry()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("201", WorkReason.Webhook, At), new WorkItem("201", WorkReason.Webhook, At.AddSeconds(5))], default);
        await queue.EnqueueAsync([new WorkItem("201", WorkReason.IncrementalSync, At.AddSeconds(9))], default);

        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);

        var only = Assert.Single(leased);
        Assert.Equal(new WorkItem("201", WorkReason.Webhook, At), only.Item);
        var stats = await queue.GetStatsAsync(default);
        Assert.Equal((0, 1), (stats.Pending, stats.Unacknowledged));
    }

    [Fact]
    public async Task EnqueueAsync_SameContactAfterItWasHandedOut_QueuesItAgain()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("301", WorkReason.Webhook, At)], default);
        var first = Assert.Single(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));

        await queue.EnqueueAsync([new WorkItem("301", WorkReason.Webhook, At.AddSeconds(2))], default);
        var second = Assert.Single(await queue.ReadAsync("worker-b", 10, TimeSpan.Zero, default));

        Assert.Equal("301", second.Item.ContactId);
        Assert.Equal(At.AddSeconds(2), second.Item.EnqueuedAt);
        Assert.NotEqual(first.EntryId, second.EntryId);
    }

    [Fact]
    public async Task ReadAsync_ConsumerNeverAcknowledges_AnotherConsumerReclaimsAfterClaimIdleTime()
    {
        var claimIdle = TimeSpan.FromMilliseconds(200);
        var queue = NewQueue(claimIdle);
        await queue.EnqueueAsync([new WorkItem("401", WorkReason.Webhook, At)], default);
        var clock = Stopwatch.StartNew();
        var crashed = Assert.Single(await queue.ReadAsync("crashed-worker", 10, TimeSpan.Zero, default));

        Assert.Empty(await queue.ReadAsync("worker-b", 10, TimeSpan.Zero, default));
        var reclaimed = await Eventually.ReturnsAsync(
            () => queue.ReadAsync("worker-b", 10, TimeSpan.Zero, default), r => r.Count > 0, TimeSpan.FromSeconds(10), "entry reclaimed");

        Assert.True(clock.Elapsed >= claimIdle, $"reclaimed after {clock.Elapsed}, before the idle time {claimIdle}");
        var item = Assert.Single(reclaimed);
        Assert.Equal(crashed.EntryId, item.EntryId);
        Assert.Equal("401", item.Item.ContactId);
        Assert.Equal(2, item.DeliveryCount);

        await queue.AcknowledgeAsync(reclaimed, default);
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task ReadAsync_WaitingWhileItemIsEnqueued_ReturnsItBeforeTheWaitEnds()
    {
        var queue = NewQueue();
        var clock = Stopwatch.StartNew();
        var read = queue.ReadAsync("worker-a", 10, TimeSpan.FromSeconds(20), default);

        await queue.EnqueueAsync([new WorkItem("451", WorkReason.Webhook, At)], default);
        var leased = await read.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("451", Assert.Single(leased).Item.ContactId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ReadAsync_TwoConsumersAtOnce_NeverGetTheSameEntry()
    {
        var queue = NewQueue();
        var contacts = Enumerable.Range(1, 200).Select(i => $"c{i}").ToList();
        await queue.EnqueueAsync(contacts.Select(c => new WorkItem(c, WorkReason.Manual, At)).ToList(), default);

        async Task<List<LeasedWorkItem>> ConsumeAsync(string consumer)
        {
            var mine = new List<LeasedWorkItem>();
            while (true)
            {
                var batch = await queue.ReadAsync(consumer, 7, TimeSpan.Zero, default);
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch);
            }
        }

        var results = await Task.WhenAll(Task.Run(() => ConsumeAsync("worker-a")), Task.Run(() => ConsumeAsync("worker-b")));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Select(l => l.EntryId).Distinct().Count());
        Assert.Equal(contacts.Order(), all.Select(l => l.Item.ContactId).Order());
    }

    [Fact]
    public async Task GetStatsAsync_ItemsWaitingAndHandedOut_ReportsDepthAndAgeOfOldest()
    {
        var queue = NewQueue();
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
        var sinceBeforeEnqueue = Stopwatch.StartNew();
        await queue.EnqueueAsync([new("501", WorkReason.Webhook, At), new("502", WorkReason.Webhook, At), new("503", WorkReason.Webhook, At)], default);
        await queue.ReadAsync("worker-a", 1, TimeSpan.Zero, default);

        var stats = await Eventually.ReturnsAsync(
            () => queue.GetStatsAsync(default), s => s.OldestAge >= TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "oldest entry ages");

        Assert.Equal(2, stats.Pending);
        Assert.Equal(1, stats.Unacknowledged);
        // Stream ids carry whole milliseconds, hence the 2 ms of rounding.
        Assert.True(stats.OldestAge <= sinceBeforeEnqueue.Elapsed + TimeSpan.FromMilliseconds(2), $"age {stats.OldestAge} > {sinceBeforeEnqueue.Elapsed}");
    }

    [Fact]
    public async Task ReleaseAsync_AfterAFailedDelivery_HandsTheEntriesOutAgainWithTheDeliveryUncounted()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("1001", WorkReason.Webhook, At), new WorkItem("1002", WorkReason.IncrementalSync, At.AddSeconds(1))], default);
        var db = _connection.GetDatabase();
        var multi = await db.StreamAddAsync(StreamKey(queue), [new("r", "Webhook"), new("t", At.ToUnixTimeMilliseconds()), new("c", "1003,1004")]);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
            Assert.Equal(["1001", "1002", "1003", "1004"], leased.Select(l => l.Item.ContactId).Order(StringComparer.Ordinal));
            Assert.All(leased, l => Assert.Equal(1, l.DeliveryCount));
            Assert.Equal(new WorkItem("1002", WorkReason.IncrementalSync, At.AddSeconds(1)), leased.Single(l => l.Item.ContactId == "1002").Item);

            await queue.ReleaseAsync(leased, default);

            var stats = await queue.GetStatsAsync(default);
            Assert.Equal((3, 0), (stats.Pending, stats.Unacknowledged));
        }

        // The entry of several contacts went back whole (one entry, both contacts), under a new id.
        var entries = await db.StreamRangeAsync(StreamKey(queue));
        Assert.Equal(3, entries.Length);
        Assert.DoesNotContain(entries, e => e.Id == multi);
        Assert.Single(entries, e => (string?)e.Values.Single(v => v.Name == "c").Value == "1003,1004");
    }

    [Fact]
    public async Task ExtendAsync_WhileTheConsumerWorks_KeepsAnotherConsumerFromReclaimingWithoutCountingADelivery()
    {
        var claimIdle = TimeSpan.FromMilliseconds(400);
        var queue = NewQueue(claimIdle);
        await queue.EnqueueAsync([new WorkItem("1201", WorkReason.Webhook, At)], default);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);

        for (var renewal = 0; renewal < 3; renewal++)
        {
            await Task.Delay(claimIdle / 2);
            await queue.ExtendAsync("worker-a", leased, default);
            Assert.Empty(await queue.ReadAsync("worker-b", 10, TimeSpan.Zero, default));
        }

        // Renewals stop (worker-a died): the entry is reclaimed after the idle time, as its second delivery.
        await Task.Delay(claimIdle * 2);
        var reclaimed = Assert.Single(await queue.ReadAsync("worker-b", 10, TimeSpan.Zero, default));
        Assert.Equal((leased[0].EntryId, 2L), (reclaimed.EntryId, reclaimed.DeliveryCount));
    }

    [Fact]
    public async Task ReleaseAsync_EntryAcknowledgedMeanwhile_IsNotQueuedAgain()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("1101", WorkReason.Webhook, At)], default);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        await queue.AcknowledgeAsync(leased, default);

        await queue.ReleaseAsync(leased, default);

        Assert.Empty(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));
        Assert.Equal(0, await _connection.GetDatabase().StreamLengthAsync(StreamKey(queue)));
    }

    [Fact]
    public async Task ReadAsync_StreamWipedByRedisFlush_RecreatesConsumerGroupAndKeepsWorking()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync([new WorkItem("601", WorkReason.Webhook, At)], default);
        Assert.Single(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));
        await _connection.GetDatabase().KeyDeleteAsync(StreamKey(queue));

        await queue.EnqueueAsync([new WorkItem("602", WorkReason.Webhook, At)], default);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);

        Assert.Equal("602", Assert.Single(leased).Item.ContactId);
    }

    [Fact]
    public async Task ReadAsync_ReclaimOfAnOlderEntry_KeepsTheWaitingMarkerOfTheNewerOne()
    {
        var claimIdle = TimeSpan.FromMilliseconds(200);
        var queue = NewQueue(claimIdle);
        await queue.EnqueueAsync([new WorkItem("801", WorkReason.Webhook, At)], default);
        var older = Assert.Single(await queue.ReadAsync("worker-a", 1, TimeSpan.Zero, default));
        await queue.EnqueueAsync([new WorkItem("801", WorkReason.Webhook, At.AddSeconds(1))], default);

        // worker-a is presumed dead once its entry has been idle for the claim time (Redis's clock); worker-b then reclaims only
        // the older entry (count 1, reclaims first) while the newer one is still waiting.
        await Task.Delay(claimIdle * 2);
        var reclaimed = await queue.ReadAsync("worker-b", 1, TimeSpan.Zero, default);
        await queue.EnqueueAsync([new WorkItem("801", WorkReason.Webhook, At.AddSeconds(2))], default);

        Assert.Equal(older.EntryId, Assert.Single(reclaimed).EntryId);
        Assert.Equal(2, await _connection.GetDatabase().StreamLengthAsync(StreamKey(queue)));
    }

    [Fact]
    public async Task EnqueueAsync_MarkerOutlivesItsLostEntry_CoalescesUntilTheCoalesceTtlThenQueuesAgain()
    {
        var time = new FakeTimeProvider(At);
        var queue = NewQueue(timeProvider: time);
        await queue.EnqueueAsync([new WorkItem("950", WorkReason.Webhook, At)], default);
        var db = _connection.GetDatabase();
        var lost = await db.StreamRangeAsync(StreamKey(queue));
        await db.StreamDeleteAsync(StreamKey(queue), [Assert.Single(lost).Id]);

        time.Advance(TimeSpan.FromMinutes(59));
        await queue.EnqueueAsync([new WorkItem("950", WorkReason.Webhook, At)], default);
        var whileMarked = await db.StreamLengthAsync(StreamKey(queue));
        time.Advance(TimeSpan.FromMinutes(2));
        await queue.EnqueueAsync([new WorkItem("950", WorkReason.Webhook, At.AddHours(1))], default);

        Assert.Equal(0, whileMarked);
        var leased = Assert.Single(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));
        Assert.Equal(new WorkItem("950", WorkReason.Webhook, At.AddHours(1)), leased.Item);
    }

    private readonly Dictionary<RedisWorkQueue, string> _prefixes = [];

    private RedisWorkQueue NewQueue(TimeSpan? claimIdleTime = null, TimeProvider? timeProvider = null)
    {
        var prefix = RedisServerFixture.NewKeyPrefix();
        var options = new RedisOptions
        {
            KeyPrefix = prefix,
            ClaimIdleTime = claimIdleTime ?? TimeSpan.FromSeconds(60),
            QueuePollInterval = TimeSpan.FromMilliseconds(20),
        };
        var queue = new RedisWorkQueue(_connection, Options.Create(options), timeProvider ?? TimeProvider.System, NullLogger<RedisWorkQueue>.Instance);
        _prefixes[queue] = prefix;
        return queue;
    }

    private RedisKey StreamKey(RedisWorkQueue queue) => _prefixes[queue] + "queue";
}
