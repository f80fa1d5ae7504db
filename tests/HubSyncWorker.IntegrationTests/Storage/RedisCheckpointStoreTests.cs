using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisCheckpointStoreTests(RedisServerFixture redis) : IAsyncLifetime
{
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task SetAsync_ThenGetAndDelete_RoundTripsTheCheckpoint()
    {
        var store = NewStore();
        Assert.Null(await store.GetAsync("resync-cursor", default));

        await store.SetAsync("resync-cursor", "after=12345", default);
        Assert.Equal("after=12345", await store.GetAsync("resync-cursor", default));

        await store.SetAsync("resync-cursor", "after=67890", default);
        Assert.Equal("after=67890", await store.GetAsync("resync-cursor", default));

        await store.DeleteAsync("resync-cursor", default);
        Assert.Null(await store.GetAsync("resync-cursor", default));
    }

    [Fact]
    public async Task GetAsync_OtherKeyPrefix_DoesNotSeeTheCheckpoint()
    {
        await NewStore().SetAsync("incremental", "1700000000000", default);

        Assert.Null(await NewStore().GetAsync("incremental", default));
    }

    private RedisCheckpointStore NewStore() =>
        new(_connection, Options.Create(new RedisOptions { KeyPrefix = RedisServerFixture.NewKeyPrefix() }));
}
