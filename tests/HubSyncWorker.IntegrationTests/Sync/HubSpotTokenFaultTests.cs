using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The fault suite's token case, against the sandbox and a real Redis: a token HubSpot refuses pauses the queue consumer without
/// consuming the backlog (no delivery counted, nothing dead-lettered), and the work resumes by itself once the token works again.
/// </summary>
[Collection("redis")]
public sealed class HubSpotTokenFaultTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Backlog = 5_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Consumer_TokenRevokedWith5000ContactsQueued_0DeadLettersAndAll5000WrittenAfterRestore()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, Backlog, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
            ["Sync:TokenRecheckInterval"] = "00:00:00.200",
            ["Redis:ClaimIdleTime"] = "00:00:01",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        var deadLetters = host.Services.GetRequiredService<IDeadLetterStore>();
        var gate = host.Services.GetRequiredService<HubSpotAccessGate>();
        foreach (var chunk in ids.Chunk(500))
        {
            await queue.EnqueueAsync([.. chunk.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        }

        sandbox.RevokeAccessToken();
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();
        await consumer.StartAsync(default);
        try
        {
            // Paused for several token checks, each past the claim idle time: before the gate, every round counted a delivery and
            // the whole backlog ended dead-lettered as REPEATED_FAILURE.
            var refusedChecks = await Eventually.ReturnsAsync(
                () => Task.FromResult(sandbox.Stats.Requests(SandboxEndpoint.PropertiesGet, 401)), n => n >= 5, Deadline, "five token checks refused");
            var paused = gate.Pause;
            var during = await queue.GetStatsAsync(default);
            var deadDuring = await deadLetters.CountAsync(default);
            var batchReadsRefused = sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead, 401);

            // What a consumer would be handed now: every entry at its first delivery (the refused ones were not counted).
            var inspected = await ReadAllAsync(queue, "inspector");
            await queue.ReleaseAsync(inspected, default);

            sandbox.RestoreAccessToken();
            await Eventually.ReturnsAsync(() => queue.GetStatsAsync(default), s => s is { Pending: 0, Unacknowledged: 0 }, Deadline, "the backlog drained");
            var written = ids.Count(id => !string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")));
            var deadAfter = await deadLetters.CountAsync(default);
            output.WriteLine($"revoked: {Backlog} queued, {batchReadsRefused} batch reads and {refusedChecks} token checks refused, during: {during.Pending} pending / {during.Unacknowledged} unacknowledged, {deadDuring} dead letters, highest delivery count {inspected.Max(i => i.DeliveryCount)}");
            output.WriteLine($"restored: {written} of {Backlog} written, {deadAfter} dead letters");

            Assert.NotNull(paused);
            Assert.Contains("HTTP 401", paused.Reason, StringComparison.Ordinal);
            Assert.Equal((Backlog, 0L, 0L), (during.Pending, during.Unacknowledged, deadDuring));
            Assert.Equal(Backlog, inspected.Count);
            Assert.All(inspected, i => Assert.Equal(1, i.DeliveryCount));
            Assert.Equal((Backlog, 0L), (written, deadAfter));
            Assert.True(gate.IsOpen);
        }
        finally
        {
            await consumer.StopAsync(default);
        }
    }

    [Fact]
    public async Task Consumer_TokenRotatedInConfiguration_ResumesWithoutRestart()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 20, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:QueueBatchWindow"] = "00:00:00",
            ["Sync:TokenRecheckInterval"] = "00:00:00.200",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);

        // The portal's admin rotates the token; the worker still sends the old one until its secret is updated.
        sandbox.SetAccessToken("rotated-token");
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();
        await consumer.StartAsync(default);
        try
        {
            var gate = host.Services.GetRequiredService<HubSpotAccessGate>();
            await Eventually.ReturnsAsync(() => Task.FromResult(gate.IsOpen), open => !open, Deadline, "the consumer paused");

            // The secret mounted as configuration is updated and reloaded; the token is read per request.
            var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
            configuration["HubSpot:AccessToken"] = "rotated-token";
            configuration.Reload();
            await Eventually.ReturnsAsync(() => queue.GetStatsAsync(default), s => s is { Pending: 0, Unacknowledged: 0 }, Deadline, "the queue drained");

            Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
            Assert.Equal(0, await host.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default));
        }
        finally
        {
            await consumer.StopAsync(default);
        }
    }

    [Fact]
    public async Task IncrementalSyncJob_TokenRevoked_LaterFiringsSkippedWithoutCallingHubSpotThenRunAfterRestore()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["Sync:TokenRecheckInterval"] = "00:00:00.200",
        });
        var job = ActivatorUtilities.CreateInstance<Scheduling.IncrementalSyncJob>(host.Services);
        var gate = host.Services.GetRequiredService<HubSpotAccessGate>();
        sandbox.RevokeAccessToken();

        await job.Execute(null!, default);
        var refusedSearches = sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch, 401);
        var pausedAfterFirstFiring = !gate.IsOpen;
        await job.Execute(null!, default);
        await job.Execute(null!, default);
        var searchesWhilePaused = sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch, 401) - refusedSearches;

        sandbox.RestoreAccessToken();
        await Eventually.ReturnsAsync(() => Task.FromResult(gate.IsOpen), open => open, Deadline, "the gate reopened");
        await job.Execute(null!, default);

        Assert.Equal((1, true, 0), (refusedSearches, pausedAfterFirstFiring, searchesWhilePaused));
        Assert.True(sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch, 200) >= 1);
    }

    private static async Task<List<LeasedWorkItem>> ReadAllAsync(IWorkQueue queue, string consumer)
    {
        var all = new List<LeasedWorkItem>();
        while (await queue.ReadAsync(consumer, 100, TimeSpan.Zero, default) is { Count: > 0 } read)
        {
            all.AddRange(read);
        }

        return all;
    }
}
