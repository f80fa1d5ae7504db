using HubSyncWorker.Storage;
using HubSyncWorker.Storage.InMemory;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class LockLeaseKeeperTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryDistributedLock _lock;

    public LockLeaseKeeperTests() => _lock = new InMemoryDistributedLock(_time);

    [Fact]
    public async Task Start_LongJob_KeepsTheLockFarBeyondItsTtl()
    {
        var lease = new ObservedLease((await _lock.TryAcquireAsync("resync", Ttl, default))!);
        await using var keeper = LockLeaseKeeper.Start(lease, Ttl, _time, new FakeLogger());

        for (var i = 0; i < 12; i++)
        {
            _time.Advance(Ttl / 3);
            await lease.Renewed.WaitAsync(SignalTimeout);
        }

        Assert.True(await lease.IsStillHeldAsync(default));
        Assert.Null(await _lock.TryAcquireAsync("resync", Ttl, default));
        Assert.False(keeper.LeaseLost.IsCancellationRequested);
    }

    [Fact]
    public async Task Start_LeaseTakenOverByAnotherHolder_SignalsLeaseLost()
    {
        var inner = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        var lease = new ObservedLease(inner);
        var logger = new FakeLogger();
        await using var keeper = LockLeaseKeeper.Start(lease, Ttl, _time, logger);
        var lost = new TaskCompletionSource();
        using var registration = keeper.LeaseLost.Register(() => lost.TrySetResult());

        // Simulate a takeover: the lock is released behind the keeper's back and another holder takes it.
        await inner.DisposeAsync();
        Assert.NotNull(await _lock.TryAcquireAsync("resync", Ttl, default));
        _time.Advance(Ttl / 3);

        await lost.Task.WaitAsync(SignalTimeout);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.Contains("was lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_StoreUnreachableForHalfTheTtl_SignalsLeaseLostWhileHalfTheLeaseIsLeft()
    {
        var lease = new ObservedLease((await _lock.TryAcquireAsync("resync", Ttl, default))!) { Unreachable = true };
        var logger = new FakeLogger();
        await using var keeper = LockLeaseKeeper.Start(lease, Ttl, _time, logger);

        _time.Advance(Ttl / 3);
        await lease.Renewed.WaitAsync(SignalTimeout);
        _time.Advance((Ttl / 2) - (Ttl / 3) - TimeSpan.FromMilliseconds(1));
        Assert.False(keeper.LeaseLost.IsCancellationRequested);

        // 15 s of a 30 s lease without a confirmed renewal: in doubt, although nobody could have taken the lock yet.
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(keeper.LeaseLost.IsCancellationRequested);
        await Assert.ThrowsAsync<LockLostException>(() => keeper.EnsureHeldAsync(default));
        Assert.True(await lease.IsStillHeldAsync(default));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 3150);
    }

    [Fact]
    public async Task Start_OneRenewalFailsThenTheStoreAnswersAgain_KeepsTheLease()
    {
        var lease = new ObservedLease((await _lock.TryAcquireAsync("resync", Ttl, default))!) { Unreachable = true };
        await using var keeper = LockLeaseKeeper.Start(lease, Ttl, _time, new FakeLogger());

        _time.Advance(Ttl / 3);
        await lease.Renewed.WaitAsync(SignalTimeout);
        lease.Unreachable = false;

        // A failed renewal is tried again a twelfth of the lifetime later, well within the half.
        _time.Advance(Ttl / 12);
        await lease.Renewed.WaitAsync(SignalTimeout);
        _time.Advance(Ttl / 3);
        await lease.Renewed.WaitAsync(SignalTimeout);

        Assert.False(keeper.LeaseLost.IsCancellationRequested);
        await keeper.EnsureHeldAsync(default);
    }

    [Fact]
    public async Task EnsureHeldAsync_LeaseTakenOverBeforeTheKeeperNoticed_ThrowsLockLostAndSignalsLeaseLost()
    {
        var inner = (await _lock.TryAcquireAsync("resync", Ttl, default))!;
        await using var keeper = LockLeaseKeeper.Start(inner, Ttl, _time, new FakeLogger());
        await keeper.EnsureHeldAsync(default);

        await inner.DisposeAsync();
        Assert.NotNull(await _lock.TryAcquireAsync("resync", Ttl, default));

        await Assert.ThrowsAsync<LockLostException>(() => keeper.EnsureHeldAsync(default));
        Assert.True(keeper.LeaseLost.IsCancellationRequested);
    }

    /// <summary>Counts renewals so the test can wait for each one instead of sleeping.</summary>
    private sealed class ObservedLease(ILockLease inner) : ILockLease
    {
        private readonly SemaphoreSlim _renewed = new(0);

        public bool Unreachable { get; set; }

        public string Name => inner.Name;

        public long FencingToken => inner.FencingToken;

        public Task Renewed => _renewed.WaitAsync();

        public async Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (Unreachable)
                {
                    throw new StorageUnavailableException("Redis is unavailable (test)");
                }

                return await inner.RenewAsync(cancellationToken);
            }
            finally
            {
                _renewed.Release();
            }
        }

        public Task<bool> IsStillHeldAsync(CancellationToken cancellationToken) => inner.IsStillHeldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
