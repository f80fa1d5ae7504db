using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisDistributedLockTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly string _prefix = RedisServerFixture.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task TryAcquireAsync_WhileHeldByAnotherReplica_ReturnsNull()
    {
        await using var first = await NewLock().TryAcquireAsync("full-resync", TimeSpan.FromSeconds(30), default);

        var second = await NewLock().TryAcquireAsync("full-resync", TimeSpan.FromSeconds(30), default);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.True(await first.IsStillHeldAsync(default));
    }

    [Fact]
    public async Task TryAcquireAsync_AfterRelease_SucceedsWithHigherFencingToken()
    {
        var first = await NewLock().TryAcquireAsync("incremental-sync", TimeSpan.FromSeconds(30), default);
        Assert.NotNull(first);
        await first.DisposeAsync();

        await using var second = await NewLock().TryAcquireAsync("incremental-sync", TimeSpan.FromSeconds(30), default);

        Assert.NotNull(second);
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.False(await first.IsStillHeldAsync(default));
    }

    [Fact]
    public async Task RenewAsync_WhileHeld_ExtendsTheLease()
    {
        await using var lease = await NewLock().TryAcquireAsync("renewed", TimeSpan.FromSeconds(30), default);
        Assert.NotNull(lease);
        var key = (RedisKey)(_prefix + "lock:renewed");
        await _connection.GetDatabase().KeyExpireAsync(key, TimeSpan.FromSeconds(1));

        Assert.True(await lease.RenewAsync(default));

        var remaining = await _connection.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(remaining!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RenewAsync_AfterLeaseExpiredAndWasRetaken_ReturnsFalseAndNewHolderKeepsLock()
    {
        var stale = await NewLock().TryAcquireAsync("resync", TimeSpan.FromMilliseconds(150), default);
        Assert.NotNull(stale);

        var current = await Eventually.ReturnsAsync(
            () => NewLock().TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default), l => l is not null, TimeSpan.FromSeconds(10), "lease expired");

        Assert.False(await stale.RenewAsync(default));
        Assert.False(await stale.IsStillHeldAsync(default));
        Assert.True(current!.FencingToken > stale.FencingToken);

        // The stale holder's release must not free the lock of the new holder.
        await stale.DisposeAsync();
        Assert.True(await current.IsStillHeldAsync(default));
        Assert.Null(await NewLock().TryAcquireAsync("resync", TimeSpan.FromSeconds(30), default));
        await current.DisposeAsync();
    }

    private RedisDistributedLock NewLock() =>
        new(_connection, Options.Create(new RedisOptions { KeyPrefix = _prefix }), NullLogger<RedisDistributedLock>.Instance);
}
