using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Scheduling;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The full resync and the incremental sync take their cluster-wide locks the same way (<see cref="LockedRun"/>; real Redis, the
/// sandbox): a lock another process holds keeps either from starting, and a lease another process takes over mid-run ends either
/// as LockLost without writing under it.
/// </summary>
[Collection("redis")]
public sealed class LockedRunTests(RedisServerFixture redis)
{
    private const string AnotherPod = "999:another-pod";

    [Fact]
    public async Task RunUnderLock_LockHeldByAnotherOwner_StopsBothSyncsBeforeAnyHubSpotCall()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 20, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        await using var connection = await redis.ConnectAsync();
        var db = connection.GetDatabase();
        await db.StringSetAsync(prefix + "lock:" + FullResync.LockName, AnotherPod, TimeSpan.FromMinutes(1));
        await db.StringSetAsync(prefix + "lock:" + IncrementalSyncJob.LockName, AnotherPod, TimeSpan.FromMinutes(1));
        sandbox.Stats.Reset();

        var resync = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);
        var incremental = await ActivatorUtilities.CreateInstance<IncrementalSyncJob>(host.Services).RunAsync(default);

        Assert.Equal(ResyncOutcome.AlreadyRunning, resync.Outcome);
        Assert.Equal(LockRunOutcome.HeldElsewhere, incremental);
        Assert.Equal(0, sandbox.Stats.TotalRequests);
        Assert.Equal(AnotherPod, (string?)await db.StringGetAsync(prefix + "lock:" + FullResync.LockName));
        Assert.Equal(AnotherPod, (string?)await db.StringGetAsync(prefix + "lock:" + IncrementalSyncJob.LockName));
    }

    [Fact]
    public async Task RunUnderLock_LeaseTakenOverMidRun_EndsBothSyncsAsLockLostWithoutWritingUnderIt()
    {
        // The sandbox's clock is ten minutes behind, then moved past its search-index lag, so the incremental sync finds the seeded
        // contacts at once; the worker's own clock is real, the lock's TTL the default (minutes), so nothing expires by itself.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, default);
        PortalSeed.Seed(sandbox, 300, clock.GetUtcNow());
        clock.Advance(sandbox.Options.SearchIndexLag);
        var prefix = RedisServerFixture.NewKeyPrefix();
        await using var connection = await redis.ConnectAsync();
        var db = connection.GetDatabase();
        TakeoverAfterFirstRead? client = null;
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = "00:00:00" }, services =>
            services.AddSingleton<IHubSpotCrmClient>(sp => client = new TakeoverAfterFirstRead(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), db, prefix)));
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();

        var resync = host.Services.GetRequiredService<FullResync>();
        client!.Arm(FullResync.LockName);
        var resyncResult = await resync.RunAsync(dryRun: false, waitForLock: false, default);
        client.Arm(IncrementalSyncJob.LockName);
        var incremental = await ActivatorUtilities.CreateInstance<IncrementalSyncJob>(host.Services).RunAsync(default);

        Assert.True(resyncResult.Outcome == ResyncOutcome.LockLost, $"{resyncResult.Outcome}: {resyncResult.Error}");
        Assert.False(resync.Progress.Running);
        Assert.Equal(LockRunOutcome.LockLost, incremental);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));

        // Neither run moved a checkpoint under the lock it lost, nor released the other holder's lock.
        Assert.Null(await host.Services.GetRequiredService<ICheckpointStore>().GetAsync(FullResync.CheckpointName(dryRun: false), default));
        Assert.Null(await host.Services.GetRequiredService<ICheckpointStore>().GetAsync(IncrementalSync.CheckpointName, default));
        Assert.Equal(AnotherPod, (string?)await db.StringGetAsync(prefix + "lock:" + FullResync.LockName));
        Assert.Equal(AnotherPod, (string?)await db.StringGetAsync(prefix + "lock:" + IncrementalSyncJob.LockName));
    }

    /// <summary>
    /// The real client; once the run in progress has read its first page (a list or a search), another process takes the lock
    /// <see cref="Arm"/> named over, as after a pause past the lease.
    /// </summary>
    private sealed class TakeoverAfterFirstRead(IHubSpotCrmClient inner, IDatabase db, string prefix) : DelegatingCrmClient(inner)
    {
        private string? _lockName;

        public void Arm(string lockName) => Volatile.Write(ref _lockName, lockName);

        public override async Task<ContactPage> ListContactsAsync(ContactListQuery query, CancellationToken cancellationToken)
        {
            var page = await base.ListContactsAsync(query, cancellationToken);
            await TakeOverAsync();
            return page;
        }

        public override async Task<ContactSearchPage> SearchContactsAsync(ContactSearchRequest request, CancellationToken cancellationToken)
        {
            var page = await base.SearchContactsAsync(request, cancellationToken);
            await TakeOverAsync();
            return page;
        }

        private async Task TakeOverAsync()
        {
            if (Interlocked.Exchange(ref _lockName, null) is { } name)
            {
                await db.StringSetAsync(prefix + "lock:" + name, AnotherPod, TimeSpan.FromMinutes(1));
            }
        }
    }
}
