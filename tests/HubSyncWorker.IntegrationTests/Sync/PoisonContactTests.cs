using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The fault suite's poison case, against the sandbox and a real Redis: one contact whose processing always fails costs only itself
/// (dead-lettered), not the other 99 of its batch; a failure that is not the contacts' own still hands the batch back uncounted.
/// </summary>
[Collection("redis")]
public sealed class PoisonContactTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int BatchSize = 100;

    [Fact]
    public async Task ProcessOnceAsync_OneContactWhoseReadAlwaysFailsInABatchOf100_99WrittenAnd1DeadLetteredOnItsLastDelivery()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, BatchSize, DateTimeOffset.UtcNow);
        var poison = ids[37];
        CountingPoisonClient? client = null;
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
            ["Redis:ClaimIdleTime"] = "00:00:00.300",
        }, services =>
        {
            services.AddTransient<HubSpotCrmClient>();
            services.AddSingleton<IHubSpotCrmClient>(sp => client = new CountingPoisonClient(sp.GetRequiredService<HubSpotCrmClient>(), poison));
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var (readsBefore, updatesBefore) = (client!.Reads, client.Updates);

        Assert.True(await host.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("poison", default));

        var written = ids.Count(id => !string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")));
        var letters = await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, default);
        var (reads, updates) = (client.Reads - readsBefore, client.Updates - updatesBefore);
        output.WriteLine($"batch of {BatchSize} with 1 poison contact: {written} written, {letters.Count} dead-lettered, {reads} batch reads, {updates} batch updates");

        Assert.Equal(BatchSize - 1, written);

        // Split in halves (100, 50, 25, 13, 6, 3, 1): the poison's part fails at each of the 7 levels, and each of the 6 healthy
        // halves (50, 25, 12, 7, 3, 2 = 99) is read and written once; no contact here has the history the policy reads.
        Assert.Equal((13, 6), (reads, updates));

        // The one at fault is not dead-lettered on its first failure (a record locked for a while, an error that passes): it is handed
        // out again, its delivery counted, alone, until its last allowed delivery.
        Assert.Empty(letters);
        Assert.Equal((0L, 1L), ((await queue.GetStatsAsync(default)).Pending, (await queue.GetStatsAsync(default)).Unacknowledged));
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await host.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default)) == 0 && DateTime.UtcNow < deadline)
        {
            await consumer.ProcessOnceAsync("poison", default);
        }

        var letter = Assert.Single(await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, default));
        Assert.Equal((poison, WorkQueueConsumer.ProcessingFailed), (letter.ContactId, letter.Category));
        Assert.Contains($"failed {WorkQueueConsumer.MaxDeliveries} times", letter.Message, StringComparison.Ordinal);
        Assert.Contains("no particular contact", letter.Message, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty(sandbox.Contacts.GetContact(poison)!.Properties.GetValueOrDefault("hubsync_status")));
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
        Assert.Equal(BatchSize - 1, ids.Count(id => !string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
        output.WriteLine($"then {client.Reads - readsBefore - reads} reads of the poison contact alone until it was dead-lettered on delivery {WorkQueueConsumer.MaxDeliveries}");
    }

    [Fact]
    public async Task ProcessOnceAsync_HubSpotUnavailableForTheWholeBatch_NothingDeadLetteredAndEntriesHandedBackUncounted()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 10, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
            ["HubSpot:MaxRetryAttempts"] = "1",
            ["HubSpot:RetryBaseDelay"] = "00:00:00.010",
            ["HubSpot:RetryMaxDelay"] = "00:00:00.010",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchRead, Sandbox.Faults.SandboxFault.Status(503), count: 100);

        await Assert.ThrowsAnyAsync<HubSpot.Errors.HubSpotException>(() => host.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("outage", default));

        // Not split: a failure that is not the contacts' own costs one read (with its retry), not one per contact.
        Assert.Equal(2, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead, 503));
        Assert.Equal(0, await host.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default));
        Assert.Equal((10L, 0L), await StatsAsync(queue));
    }

    private static async Task<(long Pending, long Unacknowledged)> StatsAsync(IWorkQueue queue)
    {
        var stats = await queue.GetStatsAsync(default);
        return (stats.Pending, stats.Unacknowledged);
    }

    /// <summary>
    /// The real client, counting batch reads and updates; every batch read including <paramref name="poison"/> reports an error HubSpot
    /// tied to no input (and leaves the poison out), as a 207 of HubSpot can.
    /// </summary>
    private sealed class CountingPoisonClient(IHubSpotCrmClient inner, string poison) : DelegatingCrmClient(inner)
    {
        private int _reads;
        private int _updates;

        public int Reads => Volatile.Read(ref _reads);

        public int Updates => Volatile.Read(ref _updates);

        public override async Task<BatchReadResult> BatchReadContactsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            var read = await base.BatchReadContactsAsync(ids, properties, propertiesWithHistory, cancellationToken);
            return ids.Contains(poison)
                ? new BatchReadResult([.. read.Found.Where(c => c.Id != poison)], read.NotFoundIds, [.. read.Errors, new ContactError(null, "INTERNAL_ERROR", "An unexpected error occurred")])
                : read;
        }

        public override Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _updates);
            return base.BatchUpdateContactsAsync(updates, cancellationToken);
        }
    }
}
