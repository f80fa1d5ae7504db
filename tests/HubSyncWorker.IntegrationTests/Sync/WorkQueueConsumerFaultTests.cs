using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Faults;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The queue consumer against the HubSpot sandbox and a real Redis when HubSpot fails: an outage, however long, loses no queued
/// work and dead-letters nothing; a contact HubSpot cannot read is dead-lettered, not dropped.
/// </summary>
[Collection("redis")]
public sealed class WorkQueueConsumerFaultTests(RedisServerFixture redis)
{
    [Fact]
    public async Task ProcessOnceAsync_HubSpotAnswers503ForMoreRoundsThanMaxDeliveries_KeepsEveryContactQueuedThenConverges()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 5, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
            ["Redis:ClaimIdleTime"] = "00:00:00.300",
            ["HubSpot:MaxRetryAttempts"] = "1",
            ["HubSpot:RetryBaseDelay"] = "00:00:00.010",
            ["HubSpot:RetryMaxDelay"] = "00:00:00.010",
            ["HubSpot:CircuitBreakerBreakDuration"] = "00:00:00.500",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchRead, SandboxFault.Status(503), count: 10_000);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        var deadLetters = host.Services.GetRequiredService<IDeadLetterStore>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();

        // More failed rounds than MaxDeliveries, each past the claim idle time: before the fix every entry was dead-lettered
        // (REPEATED_FAILURE) and deleted.
        for (var round = 0; round < WorkQueueConsumer.MaxDeliveries + 3; round++)
        {
            await Assert.ThrowsAnyAsync<HubSpot.Errors.HubSpotException>(() => consumer.ProcessOnceAsync("storm", default));
            await Task.Delay(350);
        }

        Assert.Equal(0, await deadLetters.CountAsync(default));
        var during = await queue.GetStatsAsync(default);
        Assert.Equal((5, 0), (during.Pending, during.Unacknowledged));

        // The outage ends; once the circuit breaker lets calls through again, the next batch processes every contact.
        sandbox.Faults.Clear();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await consumer.ProcessOnceAsync("storm", default));

        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
        Assert.Equal(0, await deadLetters.CountAsync(default));
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
    }

    [Fact]
    public async Task ProcessOnceAsync_HubSpotCannotReadOneContact_DeadLettersItAndProcessesTheOthers()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        var failing = ids[0];
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
        }, services =>
        {
            services.AddTransient<HubSpotCrmClient>();
            services.AddTransient<IHubSpotCrmClient>(sp => new OneContactErrorsClient(sp.GetRequiredService<HubSpotCrmClient>(), failing));
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();

        Assert.True(await consumer.ProcessOnceAsync("read-error", default));

        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
        var dead = Assert.Single(await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, default));
        Assert.Equal((failing, "INTERNAL_ERROR"), (dead.ContactId, dead.Category));
        Assert.True(string.IsNullOrEmpty(sandbox.Contacts.GetContact(failing)!.Properties.GetValueOrDefault("hubsync_status")));
        Assert.All(ids.Skip(1), id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
    }

    [Fact]
    public async Task DeadLetterRetry_OnceHubSpotReadsTheContactAgain_TheContactIsWrittenAndOnlyItsOldLetterRemoved()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        var (failing, other) = (ids[0], ids[1]);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var settings = new Dictionary<string, string?> { ["Sync:QueueBatchWindow"] = "00:00:00" };
        using (var broken = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings, services =>
        {
            services.AddTransient<HubSpotCrmClient>();
            services.AddTransient<IHubSpotCrmClient>(sp => new OneContactErrorsClient(sp.GetRequiredService<HubSpotCrmClient>(), failing));
        }))
        {
            await broken.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
            await broken.Services.GetRequiredService<IWorkQueue>().EnqueueAsync([new WorkItem(failing, WorkReason.Manual, DateTimeOffset.UtcNow)], default);
            Assert.True(await broken.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("broken", default));
        }

        // The cause is fixed (here: HubSpot reads the contact again); another contact has a letter the retry must leave alone.
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        var deadLetters = host.Services.GetRequiredService<IDeadLetterStore>();
        await deadLetters.AddAsync(new DeadLetter(other, new Dictionary<string, string>(), "VALIDATION_ERROR", "kept: not retried", DateTimeOffset.UtcNow), default);

        var result = await host.Services.GetRequiredService<DeadLetterRetry>().RetryAsync([failing], default);
        Assert.True(await host.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("fixed", default));

        Assert.Equal(new DeadLetterRetryResult(1, 1, 1), result);
        Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(failing)!.Properties.GetValueOrDefault("hubsync_status")));
        Assert.Equal([other], (await deadLetters.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(new WorkQueueStats(0, 0, null), await host.Services.GetRequiredService<IWorkQueue>().GetStatsAsync(default));
    }

    [Fact]
    public async Task ProcessOnceAsync_BatchSlowerThanTheClaimIdleTime_IsNotReclaimedByAnotherReplicaMeanwhile()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        // A claim idle time of 3 s is renewed every second: a renewal would have to be 2 s late on CI's busy cores to let the other
        // replica reclaim the batch, yet without renewal the batch, held for twice that time, is reclaimed for sure.
        var claimIdleTime = TimeSpan.FromSeconds(3);
        var settings = new Dictionary<string, string?> { ["Sync:QueueBatchWindow"] = "00:00:00", ["Redis:ClaimIdleTime"] = claimIdleTime.ToString() };
        var held = new HeldBatchRead();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings, services =>
            services.AddSingleton<IHubSpotCrmClient>(sp => held.Wrap(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp))));
        using var otherReplica = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);

        var slow = host.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("slow", default);
        await held.Reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(claimIdleTime * 1.5);
        var reclaimed = await otherReplica.Services.GetRequiredService<IWorkQueue>().ReadAsync("other", 10, TimeSpan.Zero, default);
        held.Release.SetResult();

        Assert.Empty(reclaimed);
        Assert.True(await slow);
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
    }

    /// <summary>Holds every batch read of the real client until the test releases it (HubSpot's retries in a storm).</summary>
    private sealed class HeldBatchRead
    {
        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IHubSpotCrmClient Wrap(IHubSpotCrmClient inner) => new Client(inner, this);

        private sealed class Client(IHubSpotCrmClient inner, HeldBatchRead owner) : DelegatingCrmClient(inner)
        {
            public override async Task<BatchReadResult> BatchReadContactsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken)
            {
                owner.Reading.TrySetResult();
                await owner.Release.Task.WaitAsync(cancellationToken);
                return await base.BatchReadContactsAsync(ids, properties, propertiesWithHistory, cancellationToken);
            }
        }
    }
}
