using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Scheduling;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>The scheduled incremental sync holds its cluster-wide lock (real Redis) for as long as it runs, however long that is.</summary>
[Collection("redis")]
public sealed class IncrementalSyncJobTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Execute_RunLongerThanTheLockTtl_KeepsTheLockSoAnotherReplicaSkipsItsFiring()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var ttl = TimeSpan.FromSeconds(3);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, new Dictionary<string, string?>
        {
            ["Sync:ResyncLockTtl"] = "00:00:03",
            ["HubSpot:AttemptTimeout"] = "00:00:01",
            ["HubSpot:TotalTimeout"] = "00:00:02",
            ["HubSpot:TenSecondlyRetryDelay"] = "00:00:01",
        }, services => services.AddSingleton<IHubSpotCrmClient>(sp => new SlowSearch(
            ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), TimeSpan.FromSeconds(7))));
        using var otherReplica = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        var job = ActivatorUtilities.CreateInstance<IncrementalSyncJob>(host.Services);

        var run = job.Execute(null!, default).AsTask();
        await Task.Delay(ttl + TimeSpan.FromSeconds(1.5));
        var taken = await otherReplica.Services.GetRequiredService<IDistributedLock>().TryAcquireAsync(IncrementalSyncJob.LockName, ttl, default);

        Assert.Null(taken);
        await run;
        await using var afterwards = await otherReplica.Services.GetRequiredService<IDistributedLock>().TryAcquireAsync(IncrementalSyncJob.LockName, ttl, default);
        Assert.NotNull(afterwards);
    }

    /// <summary>The real client, with every search answered <paramref name="delay"/> late (a slow portal or a long backlog).</summary>
    private sealed class SlowSearch(IHubSpotCrmClient inner, TimeSpan delay) : DelegatingCrmClient(inner)
    {
        public override async Task<ContactSearchPage> SearchContactsAsync(ContactSearchRequest request, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await base.SearchContactsAsync(request, cancellationToken);
        }
    }
}
