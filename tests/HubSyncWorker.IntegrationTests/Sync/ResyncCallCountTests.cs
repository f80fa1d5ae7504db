using System.Collections.Concurrent;
using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// HubSpot's budget is what limits a resync, so its calls are pinned: on a portal as real ones are (the sandbox's generated portal:
/// about a third of the contacts with 3 to 6 conversions, only in the history of <c>recent_conversion_event_name</c>; its edit operation
/// for the changes between two resyncs) and a sandbox with HubSpot's limits, a resync costs
/// one list call per 100 contacts, one history read per 50 contacts whose conversion count moved, and one update per 100 changes.
/// </summary>
[Collection("redis")]
public sealed class ResyncCallCountTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Contacts = 600;

    [Fact]
    public async Task RunAsync_FirstThenAfterTenPercentChangedThenNothingToWrite_CostsOnlyTheCallsThePolicyNeeds()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var now = DateTimeOffset.UtcNow;
        var portal = new PortalGenerator(seed: 7);
        var ids = portal.Seed(sandbox.Contacts, Contacts, now);
        HistoryReads? histories = null;
        using var host = SyncHost.Build(
            sandbox,
            redis.ConnectionString,
            RedisServerFixture.NewKeyPrefix(),
            new Dictionary<string, string?>
            {
                ["HubSpot:RequestsPerTenSeconds"] = "100",
                // Full batches only, however slow this machine is (the age bound has its own test).
                ["Sync:ResyncMaxPendingAge"] = "00:05:00",
            },
            services => services.AddSingleton<IHubSpotCrmClient>(sp => histories = new HistoryReads(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp))));
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = host.Services.GetRequiredService<FullResync>();
        var withHistory = ids.Where(id => Conversions(sandbox, id) > 2).ToList();
        Assert.InRange(withHistory.Count, Contacts / 4, Contacts * 4 / 10);

        // (a) The first resync: every contact is written; each one with more than two conversions has its history read once.
        sandbox.Stats.Reset();
        var first = await resync.RunAsync(dryRun: false, waitForLock: false, default);
        output.WriteLine($"First resync: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal((ResyncOutcome.Completed, Contacts), (first.Outcome, first.Report.Changed));
        Assert.Equal(Contacts / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.Equal((withHistory.Count + 49) / 50, sandbox.Stats.HistoryBatchReads());
        Assert.Equal(0, sandbox.Stats.CurrentBatchReads());
        Assert.Equal(withHistory.Order(StringComparer.Ordinal), histories!.TakeIds().Order(StringComparer.Ordinal));
        Assert.Equal(Contacts / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(0, sandbox.Stats.TotalRateLimited);

        // (b) People change about 10 % of the contacts; about half of those convert once more (some cross two conversions, some had more).
        var edit = portal.Edit(sandbox.Contacts, ids, now);
        var moved = edit.Converted.Where(id => Conversions(sandbox, id) > 2).ToList();
        Assert.InRange(edit.Changed.Count, Contacts / 20, Contacts * 3 / 20);
        Assert.InRange(moved.Count, 5, edit.Converted.Count);
        sandbox.Stats.Reset();
        var second = await resync.RunAsync(dryRun: false, waitForLock: false, default);
        output.WriteLine($"After {edit.Changed.Count} changed ({edit.Converted.Count} converted): {SandboxCalls.Describe(sandbox.Stats)}; {second.Report.Changed} changed");
        Assert.Equal(ResyncOutcome.Completed, second.Outcome);
        Assert.InRange(second.Report.Changed, 1, edit.Changed.Count);
        Assert.Equal(Contacts / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.Equal((moved.Count + 49) / 50, sandbox.Stats.HistoryBatchReads());
        Assert.Equal(0, sandbox.Stats.CurrentBatchReads());
        Assert.Equal(moved.Order(StringComparer.Ordinal), histories.TakeIds().Order(StringComparer.Ordinal));
        Assert.Equal((second.Report.Changed + 99) / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));

        // (c) Nothing changed since: the list calls and nothing else.
        sandbox.Stats.Reset();
        var third = await resync.RunAsync(dryRun: false, waitForLock: false, default);
        output.WriteLine($"Nothing to write: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal((ResyncOutcome.Completed, 0), (third.Outcome, third.Report.Changed));
        Assert.Equal(Contacts / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(Contacts / 100, sandbox.Stats.TotalRequests - sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch));
    }

    [Fact]
    public async Task RunAsync_HistoryWaitsLongerThanResyncMaxPendingAge_IsReadWithoutWaitingForFiftyAcrossPages()
    {
        // With an age of 0 no contact waits for others to fill a read: each page's contacts that need history are read at once.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, 300, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(
            sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(),
            new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100", ["Sync:ResyncMaxPendingAge"] = "00:00:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.Equal(3, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
    }

    [Fact]
    public async Task RunAsync_StoppedWhileContactsWaitForTheirHistory_ResumesWithThemAndSkipsNone()
    {
        // History reads are filled across pages, so a run can stop with contacts of checkpointed pages still waiting for theirs:
        // the checkpoint holds them, and the resumed run evaluates them.
        using var stop = new ListCallStop(3);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestLog = stop.Record }, default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, 300, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var settings = new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100", ["Sync:ResyncMaxPendingAge"] = "00:05:00" };
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        var interrupted = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, stop.Token);
        Assert.True(interrupted.Outcome == ResyncOutcome.Cancelled, $"{interrupted.Outcome}: {interrupted.Error}");
        var saved = System.Text.Json.JsonSerializer.Deserialize<ResyncCheckpoint>(
            (await host.Services.GetRequiredService<HubSyncWorker.Storage.ICheckpointStore>().GetAsync(FullResync.CheckpointName(dryRun: false), default))!)!;
        Assert.True(saved.AwaitingHistory?.Count > 0, "the checkpoint holds contacts waiting for their history");

        using var restarted = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        var resumed = await restarted.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.True(resumed.Outcome == ResyncOutcome.Completed, $"{resumed.Outcome}: {resumed.Error}");
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")), $"contact {id} was skipped"));
    }

    [Fact]
    public async Task QueuePath_AfterAConvergedResyncOnARealisticPortal_ReadsCurrentValuesOnlyAndNoHistory()
    {
        // Webhooks for every contact (an import touching all of them): 100 per batch read, and no history read, the conversion
        // counts being those the resync kept (before: one more read per 50 contacts with more than two conversions).
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(
            sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(),
            new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100", ["Sync:QueueBatchWindow"] = "00:00:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        Assert.Equal(ResyncOutcome.Completed, (await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default)).Outcome);
        sandbox.Stats.Reset();

        var queue = host.Services.GetRequiredService<HubSyncWorker.Storage.IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new HubSyncWorker.Storage.WorkItem(id, HubSyncWorker.Storage.WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var consumer = host.Services.GetRequiredService<WorkQueueConsumer>();
        while (await consumer.ProcessOnceAsync("call-count-test", default))
        {
        }

        Assert.Equal(Contacts / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
    }

    private static int Conversions(HubSpotSandbox sandbox, string id) =>
        int.Parse(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("num_conversion_events") ?? "0", CultureInfo.InvariantCulture);

    /// <summary>Records the contacts whose history the worker reads.</summary>
    private sealed class HistoryReads(IHubSpotCrmClient inner) : DelegatingCrmClient(inner)
    {
        private readonly ConcurrentQueue<string> _ids = new();

        public List<string> TakeIds()
        {
            var ids = new List<string>();
            while (_ids.TryDequeue(out var id))
            {
                ids.Add(id);
            }

            return ids;
        }

        public override Task<BatchReadResult> BatchReadContactsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken)
        {
            if (propertiesWithHistory.Count > 0)
            {
                foreach (var id in ids)
                {
                    _ids.Enqueue(id);
                }
            }

            return base.BatchReadContactsAsync(ids, properties, propertiesWithHistory, cancellationToken);
        }
    }
}
