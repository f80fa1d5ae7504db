using System.Net;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.IntegrationTests.Operations;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

/// <summary>
/// What keeps Redis from losing or piling up work: the eviction-policy check at start, the queue bound of the webhook endpoint,
/// the removal of dead consumers and the optional wait for replicas. Real redis-servers, some started here with their own settings.
/// </summary>
[Collection("redis")]
public sealed class RedisSafetyTests(RedisServerFixture redis)
{
    private static readonly string Delivery = "[" + SignedWebhook.PropertyChange(5101, "jobtitle", "CTO") + "]";

    [Fact]
    public async Task Start_RedisWithAllKeysLruPolicy_RefusesNamingThePolicyAndTheOverride()
    {
        await using var lru = await RedisServerFixture.StartOwnAsync("--maxmemory-policy", "allkeys-lru");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkerUnderTest.StartAsync(lru.ConnectionString));

        Assert.Contains("'allkeys-lru'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:AllowEvictionPolicy", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RedisWithAllKeysLruPolicyAndOverride_StartsAndServes()
    {
        await using var lru = await RedisServerFixture.StartOwnAsync("--maxmemory-policy", "allkeys-lru");

        await using var worker = await WorkerUnderTest.StartAsync(lru.ConnectionString, extra: "--Redis:AllowEvictionPolicy=true");

        Assert.Equal(HttpStatusCode.OK, (await worker.PostSignedWebhookAsync(Delivery)).StatusCode);
    }

    [Fact]
    public async Task ReadPolicyAsync_DefaultServer_ReadsNoEviction()
    {
        await using var connection = await redis.ConnectAsync();
        var check = new RedisEvictionPolicyCheck(connection, Options.Create(new RedisOptions()), null!, TimeProvider.System, NullLogger<RedisEvictionPolicyCheck>.Instance);

        Assert.Equal("noeviction", await check.ReadPolicyAsync(default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("--Redis:ConnectionString")]
    public async Task Post_QueueHoldsMoreThanMaxQueueLength_Answers503AndCountsIt(string? store)
    {
        await using var worker = await WorkerUnderTest.StartAsync(store is null ? null : redis.ConnectionString, extra: "--Redis:MaxQueueLength=1000");
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. Enumerable.Range(1, 1001).Select(i => new WorkItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReason.Manual, DateTimeOffset.UnixEpoch))], default);

        var response = await worker.PostSignedWebhookAsync(Delivery);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"queue_full\"}"));
        var stats = await queue.GetStatsAsync(default);
        Assert.Equal(1001, stats.Pending + stats.Unacknowledged);
    }

    [Fact]
    public async Task Post_QueueAtMaxQueueLength_IsAccepted()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, extra: "--Redis:MaxQueueLength=1000");
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. Enumerable.Range(1, 1000).Select(i => new WorkItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReason.Manual, DateTimeOffset.UnixEpoch))], default);

        Assert.Equal(HttpStatusCode.OK, (await worker.PostSignedWebhookAsync(Delivery)).StatusCode);
    }

    [Fact]
    public async Task SweepAsync_IdleConsumerWithoutPendingEntries_IsRemovedAndOneHoldingEntriesIsKept()
    {
        await using var connection = await redis.ConnectAsync();
        var options = Options.Create(new RedisOptions { KeyPrefix = RedisServerFixture.NewKeyPrefix() });
        var queue = new RedisWorkQueue(connection, options, TimeProvider.System, NullLogger<RedisWorkQueue>.Instance);
        await queue.EnqueueAsync([new WorkItem("1", WorkReason.Manual, DateTimeOffset.UnixEpoch), new WorkItem("2", WorkReason.Manual, DateTimeOffset.UnixEpoch)], default);
        await queue.AcknowledgeAsync(await queue.ReadAsync("gone-pod-1", 1, TimeSpan.Zero, default), default);
        _ = await queue.ReadAsync("crashed-pod-2", 1, TimeSpan.Zero, default);
        var sweep = new RedisDeadConsumerSweep(connection, options, TimeProvider.System, NullLogger<RedisDeadConsumerSweep>.Instance);

        var removedWhenRecent = await sweep.SweepAsync(TimeSpan.FromHours(1), default);
        var removed = await sweep.SweepAsync(TimeSpan.Zero, default);

        Assert.Empty(removedWhenRecent);
        Assert.Equal(["gone-pod-1"], removed);
        var consumers = await connection.GetDatabase().StreamConsumerInfoAsync(new RedisKeys(options.Value).Stream, options.Value.ConsumerGroup);
        Assert.Equal(("crashed-pod-2", 1), (consumers.Single().Name, consumers.Single().PendingMessageCount));
    }

    [Fact]
    public async Task Post_WaitForReplicasWithoutReplica_Answers503AndCountsIt()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, extra: ["--Redis:WaitForReplicas=1", "--Redis:WaitForReplicasTimeout=00:00:00.100"]);

        var response = await worker.PostSignedWebhookAsync(Delivery);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"replicas_unconfirmed\"}"));
    }

    [Fact]
    public async Task Post_WaitForReplicasWithReplica_Answers200OnceTheReplicaHoldsTheWork()
    {
        await using var primary = await RedisServerFixture.StartOwnAsync();
        await using var replica = await RedisServerFixture.StartOwnAsync("--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using (var connection = await primary.ConnectAsync())
        {
            await Eventually.ReturnsAsync(
                async () => (string?)await connection.GetDatabase().ScriptEvaluateAsync("return redis.call('INFO', 'replication')") ?? "",
                info => info.Contains("connected_slaves:1", StringComparison.Ordinal) && info.Contains("state=online", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "the replica is in sync");
        }

        await using var worker = await WorkerUnderTest.StartAsync(primary.ConnectionString, extra: ["--Redis:WaitForReplicas=1", "--Redis:WaitForReplicasTimeout=00:00:05"]);

        Assert.Equal(HttpStatusCode.OK, (await worker.PostSignedWebhookAsync(Delivery)).StatusCode);
    }
}
