using HubSyncWorker.Storage;
using HubSyncWorker.Storage.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class InMemoryWorkQueueTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(At);
    private readonly InMemoryWorkQueue _queue;

    public InMemoryWorkQueueTests() =>
        _queue = new InMemoryWorkQueue(Options.Create(new RedisOptions { ClaimIdleTime = TimeSpan.FromSeconds(60) }), _time);

    [Fact]
    public async Task ReadAsync_AfterEnqueue_HandsOutInOrderOnceAndAcknowledgeRemoves()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At), new("2", WorkReason.Manual, At)], default);

        var leased = await _queue.ReadAsync("a", 10, TimeSpan.Zero, default);
        Assert.Equal(["1", "2"], leased.Select(l => l.Item.ContactId));
        Assert.All(leased, l => Assert.Equal(1, l.DeliveryCount));
        Assert.Empty(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));

        await _queue.AcknowledgeAsync(leased, default);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));
        Assert.Equal(new WorkQueueStats(0, 0, null), await _queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task ReleaseAsync_AfterAFailedDelivery_HandsTheItemsOutFirstWithTheDeliveryUncounted()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At), new("2", WorkReason.Manual, At)], default);
        var first = await _queue.ReadAsync("a", 1, TimeSpan.Zero, default);

        await _queue.ReleaseAsync(first, default);
        await _queue.ReleaseAsync(first, default);

        var again = await _queue.ReadAsync("b", 10, TimeSpan.Zero, default);
        Assert.Equal(["1", "2"], again.Select(l => l.Item.ContactId));
        Assert.All(again, l => Assert.Equal(1, l.DeliveryCount));
        await _queue.AcknowledgeAsync(again, default);
        await _queue.ReleaseAsync(again, default);
        Assert.Equal(new WorkQueueStats(0, 0, null), await _queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task ExtendAsync_WhileTheConsumerWorks_KeepsAnotherConsumerFromReclaiming()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At)], default);
        var leased = await _queue.ReadAsync("a", 10, TimeSpan.Zero, default);

        _time.Advance(TimeSpan.FromSeconds(45));
        await _queue.ExtendAsync("a", leased, default);
        _time.Advance(TimeSpan.FromSeconds(45));

        Assert.Empty(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(2, Assert.Single(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default)).DeliveryCount);
    }

    [Fact]
    public async Task EnqueueAsync_SameContactTwiceBeforeRead_QueuesOneEntry()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At), new("1", WorkReason.Webhook, At.AddSeconds(1))], default);
        await _queue.EnqueueAsync([new("1", WorkReason.IncrementalSync, At.AddSeconds(2))], default);

        var leased = await _queue.ReadAsync("a", 10, TimeSpan.Zero, default);

        Assert.Equal(new WorkItem("1", WorkReason.Webhook, At), Assert.Single(leased).Item);
    }

    [Fact]
    public async Task EnqueueAsync_SameContactAfterItWasHandedOut_QueuesItAgain()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At)], default);
        var first = Assert.Single(await _queue.ReadAsync("a", 10, TimeSpan.Zero, default));

        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At.AddSeconds(3))], default);
        var second = Assert.Single(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));

        Assert.NotEqual(first.EntryId, second.EntryId);
        Assert.Equal(At.AddSeconds(3), second.Item.EnqueuedAt);
    }

    [Fact]
    public async Task ReadAsync_UnacknowledgedPastClaimIdleTime_ReclaimedByAnotherConsumer()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At)], default);
        var crashed = Assert.Single(await _queue.ReadAsync("crashed", 10, TimeSpan.Zero, default));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));

        _time.Advance(TimeSpan.FromSeconds(1));
        var reclaimed = Assert.Single(await _queue.ReadAsync("b", 10, TimeSpan.Zero, default));

        Assert.Equal(crashed.EntryId, reclaimed.EntryId);
        Assert.Equal(2, reclaimed.DeliveryCount);
        Assert.Empty(await _queue.ReadAsync("c", 10, TimeSpan.Zero, default));
    }

    [Fact]
    public async Task ReadAsync_WaitingWhenEnqueueArrives_ReturnsTheNewItem()
    {
        var read = _queue.ReadAsync("a", 10, TimeSpan.FromSeconds(5), default);
        Assert.False(read.IsCompleted);

        await _queue.EnqueueAsync([new("7", WorkReason.Webhook, At)], default);

        Assert.Equal("7", Assert.Single(await read.WaitAsync(TimeSpan.FromSeconds(10))).Item.ContactId);
    }

    [Fact]
    public async Task ReadAsync_NothingArrivesWithinWait_ReturnsEmptyWhenWaitEnds()
    {
        var read = _queue.ReadAsync("a", 10, TimeSpan.FromSeconds(5), default);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(read.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ReadAsync_WaitingWhileAnEntryBecomesReclaimable_ReturnsTheReclaimedEntry()
    {
        await _queue.EnqueueAsync([new("9", WorkReason.Webhook, At)], default);
        await _queue.ReadAsync("crashed", 10, TimeSpan.Zero, default);
        var read = _queue.ReadAsync("b", 10, TimeSpan.FromMinutes(5), default);
        Assert.False(read.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(60));

        var reclaimed = Assert.Single(await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, reclaimed.DeliveryCount);
    }

    [Fact]
    public async Task GetStatsAsync_WaitingAndHandedOut_ReportsDepthAndAgeOfOldest()
    {
        await _queue.EnqueueAsync([new("1", WorkReason.Webhook, At)], default);
        _time.Advance(TimeSpan.FromSeconds(10));
        await _queue.EnqueueAsync([new("2", WorkReason.Webhook, At), new("3", WorkReason.Webhook, At)], default);
        await _queue.ReadAsync("a", 1, TimeSpan.Zero, default);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(new WorkQueueStats(2, 1, TimeSpan.FromSeconds(15)), await _queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task ReadAsync_ManyConsumersInParallel_NeverHandOutTheSameEntryTwice()
    {
        await _queue.EnqueueAsync(Enumerable.Range(0, 1000).Select(i => new WorkItem($"c{i}", WorkReason.Manual, At)).ToList(), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var mine = new List<LeasedWorkItem>();
            IReadOnlyList<LeasedWorkItem> batch;
            while ((batch = await _queue.ReadAsync($"w{c}", 3, TimeSpan.Zero, default)).Count > 0)
            {
                mine.AddRange(batch);
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(1000, all.Count);
        Assert.Equal(1000, all.Select(l => l.Item.ContactId).Distinct().Count());
    }
}
