using HubSyncWorker.Storage;
using HubSyncWorker.Storage.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class InMemoryCheckpointStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryDistributedLock _lock;
    private readonly InMemoryCheckpointStore _store;

    public InMemoryCheckpointStoreTests()
    {
        _lock = new InMemoryDistributedLock(_time);
        _store = new InMemoryCheckpointStore(_lock);
    }

    [Fact]
    public async Task TrySetAsync_WhileHoldingTheLock_RoundTripsAndDeletesTheCheckpoint()
    {
        await using var lease = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        Assert.Null(await _store.GetAsync("cursor", default));

        Assert.True(await _store.TrySetAsync("cursor", "after=100", lease, default));
        Assert.True(await _store.TrySetAsync("cursor", "after=200", lease, default));
        Assert.Equal("after=200", await _store.GetAsync("cursor", default));

        Assert.True(await _store.TryDeleteAsync("cursor", lease, default));
        Assert.Null(await _store.GetAsync("cursor", default));
    }

    [Fact]
    public async Task TrySetAsync_LeaseExpiredAndTakenOver_IsRefusedAndKeepsTheNewHoldersCheckpoint()
    {
        var paused = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        Assert.True(await _store.TrySetAsync("cursor", "after=100", paused, default));
        _time.Advance(Ttl);
        await using var current = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        Assert.True(await _store.TrySetAsync("cursor", "after=500", current, default));

        Assert.False(await _store.TrySetAsync("cursor", "after=200", paused, default));
        Assert.False(await _store.TryDeleteAsync("cursor", paused, default));
        Assert.Equal("after=500", await _store.GetAsync("cursor", default));
    }

    [Fact]
    public async Task TrySetAsync_LeaseExpiredAndNobodyHoldsIt_IsRefused()
    {
        var expired = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        _time.Advance(Ttl);

        Assert.False(await _store.TrySetAsync("cursor", "after=100", expired, default));
        Assert.Null(await _store.GetAsync("cursor", default));
    }
}

public sealed class InMemoryDistributedLockTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryDistributedLock _lock;

    public InMemoryDistributedLockTests() => _lock = new InMemoryDistributedLock(_time);

    [Fact]
    public async Task TryAcquireAsync_WhileHeld_ReturnsNull()
    {
        await using var first = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);

        Assert.NotNull(first);
        Assert.Null(await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default));
        Assert.NotNull(await _lock.TryAcquireAsync("other-job", TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task TryAcquireAsync_AfterRelease_SucceedsWithHigherFencingToken()
    {
        var first = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);
        await first!.DisposeAsync();

        var second = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);

        Assert.True(second!.FencingToken > first.FencingToken);
        Assert.False(await first.IsStillHeldAsync(default));
    }

    [Fact]
    public async Task RenewAsync_BeforeExpiry_KeepsTheLockPastItsFirstTtl()
    {
        var lease = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await lease!.RenewAsync(default));

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await lease.IsStillHeldAsync(default));
        Assert.Null(await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task RenewAsync_AfterExpiryAndRetakenByAnother_ReturnsFalseAndStaleReleaseKeepsNewHolder()
    {
        var stale = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);
        _time.Advance(TimeSpan.FromSeconds(30));
        var current = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);

        Assert.NotNull(current);
        Assert.True(current.FencingToken > stale!.FencingToken);
        Assert.False(await stale.RenewAsync(default));
        Assert.False(await stale.IsStillHeldAsync(default));

        await stale.DisposeAsync();
        Assert.True(await current.IsStillHeldAsync(default));
    }

    [Fact]
    public async Task IsStillHeldAsync_AfterExpiryEvenIfNobodyRetookIt_ReturnsFalse()
    {
        var lease = await _lock.TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default);

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.False(await lease!.IsStillHeldAsync(default));
        Assert.False(await lease.RenewAsync(default));
    }
}

public sealed class InMemoryDeadLetterStoreTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RemoveContactAsync_AfterAdds_DropsOnlyThatContactNewestFirstOrderKept()
    {
        var store = NewStore(100);
        await store.AddAsync(Letter("1"), default);
        await store.AddAsync(Letter("2"), default);
        await store.AddAsync(Letter("1"), default);
        await store.AddAsync(Letter("3"), default);
        Assert.Equal(["3", "1", "2", "1"], (await store.ListAsync(10, default)).Select(l => l.ContactId));

        await store.RemoveContactAsync("1", default);

        Assert.Equal(["3", "2"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(2, await store.CountAsync(default));
    }

    [Fact]
    public async Task AddAsync_BeyondTheCap_KeepsNewestAndCountsAll()
    {
        var store = NewStore(2);
        await store.AddAsync(Letter("1"), default);
        await store.AddAsync(Letter("2"), default);
        await store.AddAsync(Letter("3"), default);

        Assert.Equal(["3", "2"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(3, await store.CountAsync(default));
    }

    [Fact]
    public async Task RemoveAsync_ListedLetters_DropsThoseAndKeepsOneRecordedSinceForTheSameContact()
    {
        var store = NewStore(100);
        await store.AddAsync(Letter("1"), default);
        await store.AddAsync(Letter("2"), default);
        var listed = await store.ListAsync(10, default);
        await store.AddAsync(Letter("1"), default);

        var removed = await store.RemoveAsync(listed, default);
        var again = await store.RemoveAsync(listed, default);

        Assert.Equal((2, 0), (removed, again));
        Assert.Equal(["1"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(1, await store.CountAsync(default));
    }

    private static DeadLetter Letter(string contactId) =>
        new(contactId, new Dictionary<string, string> { ["hubsync_mql_score"] = "5" }, "VALIDATION_ERROR", "bad value", At);

    private static InMemoryDeadLetterStore NewStore(int max) =>
        new(Options.Create(new RedisOptions { DeadLetterMaxEntries = max }));
}

public sealed class InMemoryWebhookInboxTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan DedupeTtl = TimeSpan.FromHours(25);
    private readonly FakeTimeProvider _time = new(At);
    private readonly InMemoryWorkQueue _queue;
    private readonly InMemoryWebhookInbox _inbox;

    public InMemoryWebhookInboxTests()
    {
        _queue = new InMemoryWorkQueue(Options.Create(new RedisOptions()), _time);
        _inbox = new InMemoryWebhookInbox(_queue, _time);
    }

    [Fact]
    public async Task AcceptAsync_NewThenRedelivered_QueuesOnlyTheFirstSightingOfEachEvent()
    {
        Assert.Equal([true, true, true], await _inbox.AcceptAsync([new("e1", "1"), new("e2", "2"), new("e3", null)], WorkReason.Webhook, At, DedupeTtl, default));
        var first = await _queue.ReadAsync("w", 10, TimeSpan.Zero, default);
        await _queue.AcknowledgeAsync(first, default);

        Assert.Equal([false, true, false], await _inbox.AcceptAsync([new("e2", "2"), new("e4", "4"), new("e3", null)], WorkReason.Webhook, At, DedupeTtl, default));

        Assert.Equal([new WorkItem("1", WorkReason.Webhook, At), new WorkItem("2", WorkReason.Webhook, At)], first.Select(l => l.Item));
        Assert.Equal(["4"], (await _queue.ReadAsync("w", 10, TimeSpan.Zero, default)).Select(l => l.Item.ContactId));
    }

    [Fact]
    public async Task AcceptAsync_JustBeforeAndAtTheDedupeTtl_IsADuplicateThenNewAgain()
    {
        await _inbox.AcceptAsync([new("e1", "1")], WorkReason.Webhook, At, DedupeTtl, default);

        _time.Advance(DedupeTtl - TimeSpan.FromTicks(1));
        Assert.Equal([false], await _inbox.AcceptAsync([new("e1", "1")], WorkReason.Webhook, At, DedupeTtl, default));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal([true], await _inbox.AcceptAsync([new("e1", "1")], WorkReason.Webhook, At, DedupeTtl, default));
    }

    [Fact]
    public async Task AcceptAsync_QueueFails_NothingIsRememberedSoTheRetryIsProcessed()
    {
        var inbox = new InMemoryWebhookInbox(new FailingQueue(), _time);

        await Assert.ThrowsAsync<StorageUnavailableException>(
            () => inbox.AcceptAsync([new("e1", "1"), new("e2", null)], WorkReason.Webhook, At, DedupeTtl, default));

        Assert.Equal(0, inbox.RememberedCount);
    }

    [Fact]
    public async Task AcceptAsync_ManyDeliveriesOverTime_ExpiredKeysAreSweptAway()
    {
        for (var i = 0; i < 5000; i++)
        {
            await _inbox.AcceptAsync([new($"old-{i}", null)], WorkReason.Webhook, At, TimeSpan.FromMinutes(1), default);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 4096; i++)
        {
            await _inbox.AcceptAsync([new($"new-{i}", null)], WorkReason.Webhook, At, DedupeTtl, default);
        }

        // Every expired key went in a sweep; only the live ones remain.
        Assert.Equal(4096, _inbox.RememberedCount);
    }

    private sealed class FailingQueue : IWorkQueue
    {
        public Task EnqueueAsync(IReadOnlyCollection<WorkItem> items, CancellationToken cancellationToken) =>
            Task.FromException(new StorageUnavailableException("queue down"));

        public Task<IReadOnlyList<LeasedWorkItem>> ReadAsync(string consumer, int maxCount, TimeSpan wait, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task AcknowledgeAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task ReleaseAsync(IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExtendAsync(string consumer, IReadOnlyCollection<LeasedWorkItem> items, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<WorkQueueStats> GetStatsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
