using HubSyncWorker.HubSpot;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.IntegrationTests.Sync;

[Collection("redis")]
public sealed class IncrementalSyncTests(RedisServerFixture redis)
{
    [Fact]
    public async Task RunAsync_MoreThanTenThousandContactsShareOneModifiedDate_EvaluatesEveryOne()
    {
        // The sandbox's clock stands still, so every contact gets the same lastmodifieddate.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = frozen }, default);
        var ids = PortalSeed.Seed(sandbox, 10_250, frozen.GetUtcNow());

        // HubSpot's search lags writes by a few seconds: the sync runs once the seeding is searchable (the dates stay shared).
        frozen.Advance(sandbox.Options.SearchIndexLag);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        var result = await host.Services.GetRequiredService<IncrementalSync>().RunAsync(default);

        Assert.Empty(await DrainAsync(host.Services.GetRequiredService<IWorkQueue>()));
        Assert.Equal(ids.Count, result.Evaluated);
        Assert.All(ids, id => Assert.True(HasDecision(sandbox, id), $"contact {id} was skipped"));
        // Two pages by date (from the lookback, then from the shared timestamp, both full of it), 52 by id within it (10,250 / 200,
        // the last one short), one past it: each query read from its first result, so never near the 10,000 cap, which the sandbox
        // enforces with a 400.
        Assert.Equal(55, result.SearchCalls);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch, 400));
    }

    [Fact]
    public async Task RunAsync_SecondRun_StartsFromTheCheckpointMinusTheOverlap()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-30));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, default);
        var early = PortalSeed.Seed(sandbox, 50, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(10));
        var late = PortalSeed.Seed(sandbox, 30, clock.GetUtcNow(), seed: 99);
        clock.Advance(sandbox.Options.SearchIndexLag);

        // A dry run: the worker's own writes would be modifications too (their echoes are the next test's subject).
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:IncrementalOverlap"] = "00:02:00", ["Sync:DryRun"] = "true" });
        var sync = host.Services.GetRequiredService<IncrementalSync>();

        Assert.Equal(80, (await sync.RunAsync(default)).Evaluated);

        // Only the contacts modified after the checkpoint (minus the overlap) come back: the 30 late ones, and the one a
        // salesperson changed since.
        clock.Advance(TimeSpan.FromMinutes(5));
        sandbox.Contacts.UpdateAsUser(early[3], new Dictionary<string, string?> { ["jobtitle"] = "Chief Revenue Officer" });
        clock.Advance(sandbox.Options.SearchIndexLag);
        var second = await sync.RunAsync(default);

        Assert.Equal(late.Count + 1, second.Evaluated);
        Assert.Empty(await DrainAsync(host.Services.GetRequiredService<IWorkQueue>()));
    }

    [Fact]
    public async Task RunAsync_SearchPageOfTheWorkersOwnEchoes_CostsNoBatchReadAndNoWrite()
    {
        // A realistic portal (a third of the contacts with 3-6 conversions) that a resync has just written: every contact's last
        // modification is the worker's own, and HubSpot's search shows the values it wrote.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { TimeProvider = clock }, default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, 300, clock.GetUtcNow());
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        Assert.Equal(ResyncOutcome.Completed, (await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default)).Outcome);

        // One contact converts once more (a new history version): only its history is read, and only it is written.
        int Conversions(string id) => int.Parse(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("num_conversion_events") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var converted = ids.First(id => Conversions(id) > 2);
        var count = Conversions(converted);
        Assert.True(sandbox.Contacts.UpdateAsUser(converted, new Dictionary<string, string?>
        {
            ["num_conversion_events"] = (count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["recent_conversion_event_name"] = "Request a demo",
        }));
        clock.Advance(sandbox.Options.SearchIndexLag);
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<IncrementalSync>().RunAsync(default);

        Assert.Equal(ids.Count, result.Evaluated);
        Assert.Equal(0, result.Queued);
        Assert.Equal(1, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal(1, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(1, sandbox.Stats.BatchUpdateInputs);
        Assert.Empty(await DrainAsync(host.Services.GetRequiredService<IWorkQueue>()));

        // Its new value is what a full resync decides: nothing left to change.
        var check = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: true, waitForLock: false, default);
        Assert.Equal(0, check.Report.Changed);
    }

    [Fact]
    public async Task RunAsync_ContactsAlreadyReturnedAreModifiedMidScan_NoOtherContactIsSkipped()
    {
        // One contact every 3 s for 12.5 minutes: the contacts at the first page boundary lie 2.5 minutes before the final
        // checkpoint, beyond the 2-minute overlap, so one skipped by this run would never be seen by the next either.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, default);
        var ids = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            ids.Add(sandbox.Contacts.AddContact(PortalSeed.Contact(i, clock.GetUtcNow())));
            clock.Advance(TimeSpan.FromSeconds(3));
        }

        using var host = SyncHost.Build(
            sandbox,
            redis.ConnectionString,
            RedisServerFixture.NewKeyPrefix(),
            new Dictionary<string, string?> { ["Sync:IncrementalOverlap"] = "00:02:00", ["Sync:IncrementalInitialLookback"] = "01:00:00" },
            services => services.AddSingleton<IHubSpotCrmClient>(sp => new ModifiesReturnedContacts(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), sandbox, clock)));

        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        var result = await host.Services.GetRequiredService<IncrementalSync>().RunAsync(default);

        // Offset paging skipped the 5 contacts at the first page boundary (their places taken by the 5 modified ones).
        Assert.All(ids, id => Assert.True(HasDecision(sandbox, id), $"contact {id} was skipped"));
        // Every contact once, and the 6 edited ones again with their new timestamp.
        Assert.Equal(256, result.Evaluated);
    }

    private static bool HasDecision(HubSpotSandbox sandbox, string id) =>
        !string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"));

    private static async Task<List<string>> DrainAsync(IWorkQueue queue)
    {
        var ids = new List<string>();
        while (true)
        {
            var items = await queue.ReadAsync("test", 100, TimeSpan.Zero, default);
            if (items.Count == 0)
            {
                return ids;
            }

            ids.AddRange(items.Select(i => i.Item.ContactId));
            await queue.AcknowledgeAsync(items, default);
        }
    }

    /// <summary>
    /// After the first search page, a user edits 6 of the contacts it returned (as the worker's own write-backs do), and the search index
    /// catches up before the next page is asked for: the mid-scan move of results this test is about.
    /// </summary>
    private sealed class ModifiesReturnedContacts(IHubSpotCrmClient inner, HubSpotSandbox sandbox, FakeTimeProvider clock) : DelegatingCrmClient(inner)
    {
        private int _calls;

        public override async Task<HubSpot.Contacts.ContactSearchPage> SearchContactsAsync(HubSpot.Contacts.ContactSearchRequest request, CancellationToken cancellationToken)
        {
            var page = await base.SearchContactsAsync(request, cancellationToken);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                // The first 5, and the last, which the next query (from its timestamp) would skip as already seen were it not newer now.
                foreach (var contact in page.Results.Take(5).Append(page.Results[^1]))
                {
                    Assert.True(sandbox.Contacts.UpdateAsUser(contact.Id, new Dictionary<string, string?> { ["jobtitle"] = "Head of Growth" }));
                }

                clock.Advance(sandbox.Options.SearchIndexLag);
            }

            return page;
        }
    }
}
