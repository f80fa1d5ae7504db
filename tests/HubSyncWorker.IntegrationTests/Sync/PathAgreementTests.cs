using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>The list path (resync) and the queue path (webhooks, incremental sync) must decide alike, or they overwrite each other.</summary>
[Collection("redis")]
public sealed class PathAgreementTests(RedisServerFixture redis)
{
    [Fact]
    public async Task QueuePath_AfterAConvergedResync_WritesNothing()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 600, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:QueueBatchWindow"] = "00:00:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);
        Assert.Equal(ResyncOutcome.Completed, resync.Outcome);
        sandbox.Stats.Reset();

        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();
        while (await consumer.ProcessOnceAsync("agreement-test", default))
        {
        }

        Assert.Equal(6, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
    }
}
