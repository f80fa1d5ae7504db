using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisDedupeStoreTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly string _prefix = RedisServerFixture.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;
    private RedisDedupeStore _store = null!;

    public async Task InitializeAsync()
    {
        _connection = await redis.ConnectAsync();
        _store = new RedisDedupeStore(_connection, Options.Create(new RedisOptions { KeyPrefix = _prefix }));
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task TryMarkAsync_NewAndRepeatedKeys_ReportsOnlyFirstSightingsAsNew()
    {
        var ttl = TimeSpan.FromHours(25);

        Assert.Equal([true, true], await _store.TryMarkAsync(["evt-1", "evt-2"], ttl, default));
        Assert.Equal([false, true, false], await _store.TryMarkAsync(["evt-2", "evt-3", "evt-3"], ttl, default));
    }

    [Fact]
    public async Task TryMarkAsync_WithTtl_KeyLivesForThatTtl()
    {
        await _store.TryMarkAsync(["evt-ttl"], TimeSpan.FromHours(25), default);

        var remaining = await _connection.GetDatabase().KeyTimeToLiveAsync((RedisKey)(_prefix + "dedupe:evt-ttl"));

        Assert.InRange(remaining!.Value, TimeSpan.FromHours(24.9), TimeSpan.FromHours(25));
    }

    [Fact]
    public async Task TryMarkAsync_AfterTtlExpired_KeyIsNewAgain()
    {
        Assert.Equal([true], await _store.TryMarkAsync(["evt-short"], TimeSpan.FromMilliseconds(150), default));
        Assert.Equal([false], await _store.TryMarkAsync(["evt-short"], TimeSpan.FromMilliseconds(150), default));

        var again = await Eventually.ReturnsAsync(
            () => _store.TryMarkAsync(["evt-short"], TimeSpan.FromHours(1), default), r => r[0], TimeSpan.FromSeconds(10), "key expired");

        Assert.Equal([true], again);
    }

    [Fact]
    public async Task ForgetAsync_MarkedKeys_AreNewAgain()
    {
        await _store.TryMarkAsync(["evt-a", "evt-b"], TimeSpan.FromHours(25), default);

        await _store.ForgetAsync(["evt-a"], default);

        Assert.Equal([true, false], await _store.TryMarkAsync(["evt-a", "evt-b"], TimeSpan.FromHours(25), default));
    }
}
