using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisCheckpointStoreTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly string _prefix = RedisServerFixture.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task TrySetAsync_WhileHoldingTheLock_RoundTripsAndDeletesTheCheckpoint()
    {
        var store = NewStore();
        await using var lease = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        Assert.Null(await store.GetAsync("resync:cursor", default));

        Assert.True(await store.TrySetAsync("resync:cursor", "after=12345", lease, default));
        Assert.Equal("after=12345", await store.GetAsync("resync:cursor", default));
        Assert.True(await store.TrySetAsync("resync:cursor", "after=67890", lease, default));
        Assert.Equal("after=67890", await store.GetAsync("resync:cursor", default));

        Assert.True(await store.TryDeleteAsync("resync:cursor", lease, default));
        Assert.Null(await store.GetAsync("resync:cursor", default));
    }

    [Fact]
    public async Task TrySetAsync_StaleTokenAfterAnotherProcessTookTheLock_IsRefusedAndKeepsTheNewHoldersCheckpoint()
    {
        var store = NewStore();
        var paused = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        Assert.True(await store.TrySetAsync("resync:cursor", "after=100", paused, default));

        // The paused process's lease is gone (released here; expired in production) and another process takes the lock over.
        await ReleaseBehindItsBackAsync(paused);
        await using var current = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        Assert.True(await store.TrySetAsync("resync:cursor", "after=500", current, default));

        Assert.False(await store.TrySetAsync("resync:cursor", "after=200", paused, default));
        Assert.Equal("after=500", await store.GetAsync("resync:cursor", default));
    }

    [Fact]
    public async Task TryDeleteAsync_StaleTokenAfterAnotherProcessTookTheLock_IsRefusedAndKeepsTheCheckpoint()
    {
        var store = NewStore();
        var paused = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        await ReleaseBehindItsBackAsync(paused);
        await using var current = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        Assert.True(await store.TrySetAsync("resync:cursor", "after=500", current, default));

        Assert.False(await store.TryDeleteAsync("resync:cursor", paused, default));
        Assert.Equal("after=500", await store.GetAsync("resync:cursor", default));
    }

    [Fact]
    public async Task TrySetAsync_LockExpiredAndNobodyHoldsIt_IsRefused()
    {
        var store = NewStore();
        var expired = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        await ReleaseBehindItsBackAsync(expired);

        Assert.False(await store.TrySetAsync("resync:cursor", "after=100", expired, default));
        Assert.False(await store.TryDeleteAsync("resync:cursor", expired, default));
        Assert.Null(await store.GetAsync("resync:cursor", default));
    }

    [Fact]
    public async Task TrySetAsync_StaleTokenThatIsAPrefixOfTheCurrentOne_IsRefused()
    {
        // Token 1 against the holder of token 11: the comparison covers the whole token, not its first digits.
        var store = NewStore();
        var first = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        await ReleaseBehindItsBackAsync(first);
        for (var i = 2; i <= 10; i++)
        {
            await (await NewLock().TryAcquireAsync("resync", Ttl, default))!.DisposeAsync();
        }

        await using var eleventh = (await NewLock().TryAcquireAsync("resync", Ttl, default))!;
        Assert.Equal((1, 11), (first.FencingToken, eleventh.FencingToken));

        Assert.False(await store.TrySetAsync("resync:cursor", "after=100", first, default));
        Assert.True(await store.TrySetAsync("resync:cursor", "after=1100", eleventh, default));
        Assert.Equal("after=1100", await store.GetAsync("resync:cursor", default));
    }

    [Fact]
    public async Task GetAsync_OtherKeyPrefix_DoesNotSeeTheCheckpoint()
    {
        await NewStore().SetAsync("incremental", "1700000000000", default);

        Assert.Null(await new RedisCheckpointStore(_connection, Options.Create(new RedisOptions { KeyPrefix = RedisServerFixture.NewKeyPrefix() })).GetAsync("incremental", default));
    }

    /// <summary>The lease ends without its holder knowing: in production it expired while the process was paused.</summary>
    private async Task ReleaseBehindItsBackAsync(ILockLease lease) =>
        await _connection.GetDatabase().KeyDeleteAsync(_prefix + "lock:" + lease.Name);

    private RedisCheckpointStore NewStore() => new(_connection, Options.Create(new RedisOptions { KeyPrefix = _prefix }));

    private RedisDistributedLock NewLock() =>
        new(_connection, Options.Create(new RedisOptions { KeyPrefix = _prefix }), NullLogger<RedisDistributedLock>.Instance);
}
