using System.Net;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>An admin-triggered resync that loses its lock ends as LockLost, and the endpoint accepts the next one (no 409 forever).</summary>
[Collection("redis")]
public sealed class AdminResyncLockLostTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PostResync_AfterARunLostItsLock_ShowsLockLostAndAcceptsTheNextRun()
    {
        // A 6 s lock renewed every 2 s; HubSpot's calls end within it, as the start-up check demands.
        await using var worker = await WorkerUnderTest.StartAsync(
            redis.ConnectionString,
            extra: ["--Sync:ResyncLockTtl=00:00:06", "--HubSpot:TotalTimeout=00:00:05", "--HubSpot:AttemptTimeout=00:00:04", "--HubSpot:TenSecondlyRetryDelay=00:00:01"]);
        // HubSpot answers the contact calls slowly, so the run is waiting on HubSpot when its lock is taken away.
        worker.HubSpot.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/crm/objects/2026-03/contacts*")))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithDelay(TimeSpan.FromSeconds(10)));
        var lockKey = worker.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + "lock:" + HubSyncWorker.Sync.FullResync.LockName;
        await using var connection = await redis.ConnectAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await worker.Client.SendAsync(WorkerUnderTest.AdminRequest(HttpMethod.Post, "/admin/resync?dryRun=true"))).StatusCode);
        await Eventually.ReturnsAsync(() => connection.GetDatabase().KeyExistsAsync(lockKey), held => held, Deadline, "the resync holds its lock");
        // Another process takes the lock over (as after this pod was paused past its lease).
        await connection.GetDatabase().StringSetAsync(lockKey, "999:another-pod", TimeSpan.FromMinutes(1));

        var status = await Eventually.ReturnsAsync(() => worker.GetResyncStatusAsync(), s => WorkerUnderTest.LastRun(s)?.GetProperty("outcome").GetString() is not null, Deadline, "the run ends");

        Assert.Equal("LockLost", WorkerUnderTest.LastRun(status)!.Value.GetProperty("outcome").GetString());
        Assert.False(status.GetProperty("progress").GetProperty("running").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, (await worker.Client.SendAsync(WorkerUnderTest.AdminRequest(HttpMethod.Post, "/admin/resync?dryRun=true"))).StatusCode);
    }
}
