using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisOutageTests(RedisServerFixture redis)
{
    [Fact]
    public async Task EnqueueAsync_RedisStoppedThenRestarted_ThrowsStorageUnavailableThenWorksAgain()
    {
        await using var connection = await redis.ConnectFastFailAsync();
        var queue = new RedisWorkQueue(
            connection,
            Options.Create(new RedisOptions { KeyPrefix = RedisServerFixture.NewKeyPrefix() }),
            TimeProvider.System,
            NullLogger<RedisWorkQueue>.Instance);
        var item = new WorkItem("701", WorkReason.Webhook, DateTimeOffset.UnixEpoch);
        await queue.EnqueueAsync([item], default);

        await redis.StopAsync();
        try
        {
            // Bounded: the test connection string sets 1-second timeouts, so this must fail fast rather than hang.
            await Assert.ThrowsAsync<StorageUnavailableException>(
                () => queue.EnqueueAsync([item], default).WaitAsync(TimeSpan.FromSeconds(10)));
            await Assert.ThrowsAsync<StorageUnavailableException>(
                () => queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default).WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await redis.StartAsync();
        }

        // The restarted server has no persistence: the stream and group are gone and must be recreated transparently.
        await Eventually.SucceedsAsync(
            async () =>
            {
                await queue.EnqueueAsync([item], default);
                return true;
            },
            TimeSpan.FromSeconds(30),
            "enqueue after the restart");
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal("701", Assert.Single(leased).Item.ContactId);
    }
}
