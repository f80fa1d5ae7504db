using HubSyncWorker.HubSpot;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>Full resyncs against the stateful HubSpot sandbox with a real Redis (locks, checkpoints, shared budget).</summary>
[Collection("redis")]
public sealed class FullResyncTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_ThreeThousandContacts_ConvergesWithMinimalCallsAndASecondRunWritesNothing()
    {
        const int contacts = 3000;
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var now = DateTimeOffset.UtcNow;
        var ids = PortalSeed.Seed(sandbox, contacts, now);
        // The call counts below are those of full batches: no partial batch for age, however slow this machine is.
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = "00:05:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var policy = host.Services.GetRequiredService<QualificationPolicy>();

        // What the policy decides for each seeded contact, computed here from the seed values, independently of the sync.
        var expected = ids.ToDictionary(id => id, id => Expected(policy, id, PortalSeed.Contact(ids.IndexOf(id), now), now));
        var expectedChanged = expected.Values.Count(e => e.Changed);
        sandbox.Stats.Reset();

        var first = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, first.Outcome);
        Assert.Equal(contacts, first.Processed);
        Assert.Equal(expectedChanged, first.Report.Changed);
        Assert.Equal((contacts + 99) / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.Equal((expectedChanged + 99) / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(0, sandbox.Stats.TotalRateLimited);
        foreach (var id in ids)
        {
            var stored = sandbox.Contacts.GetContact(id)!;
            Assert.Equal(expected[id].Status, stored.Properties.GetValueOrDefault("hubsync_status"));
        }

        sandbox.Stats.Reset();
        var second = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, second.Outcome);
        Assert.Equal(0, second.Report.Changed);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal((contacts + 99) / 100, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
    }

    [Theory]
    [InlineData("00:00:00", 3)]
    [InlineData("00:05:00", 1)]
    public async Task RunAsync_FewChangesAcrossPages_WritesThemOnceTheyAreResyncMaxPendingAgeOld(string maxPendingAge, int expectedUpdateCalls)
    {
        // A change is a decision on the contact as read: held until 100 have built up (minutes, when few contacts change), it could
        // overwrite a lead status a salesperson set in between. One change on each of three pages: with an age of 0 each is written
        // right after its page; with 5 minutes (longer than the run) they go out together at the end, as one batch.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 300, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = maxPendingAge });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = host.Services.GetRequiredService<FullResync>();
        Assert.Equal(ResyncOutcome.Completed, (await resync.RunAsync(dryRun: false, waitForLock: false, default)).Outcome);
        foreach (var id in new[] { ids[10], ids[150], ids[290] })
        {
            Assert.True(sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["hubsync_reason"] = "edited by hand" }));
        }

        sandbox.Stats.Reset();
        var result = await resync.RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal((ResyncOutcome.Completed, 3, 3), (result.Outcome, result.Report.Changed, result.Writes.Written));
        Assert.Equal(expectedUpdateCalls, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
    }

    [Fact]
    public async Task RunAsync_NextPageSlowToList_ThePendingChangeIsWrittenOnceDueWithoutWaitingForIt()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 150, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using (var first = SyncHost.Build(sandbox, redis.ConnectionString, prefix))
        {
            await first.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
            Assert.Equal(ResyncOutcome.Completed, (await first.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default)).Outcome);
        }

        Assert.True(sandbox.Contacts.UpdateAsUser(ids[10], new Dictionary<string, string?> { ["hubsync_reason"] = "edited by hand" }));
        sandbox.Stats.Reset();
        SlowSecondPage? slow = null;
        using var host = SyncHost.Build(
            sandbox, redis.ConnectionString, prefix, new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = "00:00:00.300" },
            services => services.AddSingleton<IHubSpotCrmClient>(sp => slow = new SlowSecondPage(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), sandbox)));

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal((ResyncOutcome.Completed, 1), (result.Outcome, result.Writes.Written));
        // Page 1's change was written once 0.3 s old, while page 2 was still being listed (before: only once page 2 came, so page 2
        // waited out its 30 s and found no update).
        Assert.Equal(1, slow!.UpdatesWhenSecondPageArrived);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_AnOutputPropertyDeletedInHubSpot_IsRecreatedAndTheWritesLandWithoutDeadLetters(bool wholeBatchRejected)
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000, RejectWholeBatchOnInvalidValue = wholeBatchRejected }, default);
        var ids = PortalSeed.Seed(sandbox, 30, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = host.Services.GetRequiredService<FullResync>();
        Assert.Equal(ResyncOutcome.Completed, (await resync.RunAsync(dryRun: false, waitForLock: false, default)).Outcome);

        // An admin tidying HubSpot's settings deletes the reason property; then a contact changes, so its reason must be written.
        Assert.True(sandbox.Properties.TryRemove("hubsync_reason"));
        var before = sandbox.Contacts.GetContact(ids[3])!.Properties.GetValueOrDefault("hubsync_reason");
        Assert.True(sandbox.Contacts.UpdateAsUser(ids[3], new Dictionary<string, string?> { ["jobtitle"] = "Student", ["email"] = "someone@gmail.com" }));
        sandbox.Stats.Reset();
        var result = await resync.RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.Equal(0, result.Writes.DeadLettered);
        Assert.True(result.Writes.Written >= 1);
        Assert.NotNull(sandbox.Properties.Find("hubsync_reason"));
        Assert.Equal(1, sandbox.Stats.Requests(SandboxEndpoint.PropertiesCreate));
        Assert.NotEqual(before, sandbox.Contacts.GetContact(ids[3])!.Properties.GetValueOrDefault("hubsync_reason"));
        Assert.Empty(await host.Services.GetRequiredService<HubSyncWorker.Storage.IDeadLetterStore>().ListAsync(10, default));
    }

    [Fact]
    public async Task RunAsync_StoppedHalfWayThenRestarted_SkipsNoContactAndReReadsAtMostOnePage()
    {
        const int contacts = 2000;
        using var stop = new ListCallStop(8);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000, RequestLog = stop.Record }, default);
        var ids = PortalSeed.Seed(sandbox, contacts, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = host.Services.GetRequiredService<FullResync>();

        var interrupted = await resync.RunAsync(dryRun: false, waitForLock: false, stop.Token);
        Assert.True(interrupted.Outcome == ResyncOutcome.Cancelled, $"{interrupted.Outcome}: {interrupted.Error}");
        Assert.InRange(interrupted.Processed, 1, contacts - 1);

        // A new process (same Redis) picks the checkpoint up.
        using var restarted = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        var resumed = await restarted.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, resumed.Outcome);
        Assert.Equal(contacts, resumed.Processed);
        Assert.InRange(stop.ListCalls, contacts / 100, (contacts / 100) + 1);
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")), $"contact {id} was skipped"));
        var again = await restarted.Services.GetRequiredService<FullResync>().RunAsync(dryRun: true, waitForLock: false, default);
        Assert.Equal(0, again.Report.Changed);
    }

    [Fact]
    public async Task RunAsync_InterruptedWithHundredsOfUnwrittenChangesOnARealisticPortal_ResumesCompletesAndConverges()
    {
        // The regression: a run stopped with 300 changes unwritten resumed by reading them again 100 at a time with their history,
        // which HubSpot refuses (50 at most), so every later run failed the same way and the portal never got its values.
        const int contacts = 1000;
        // Page 4 is listed once the third page's changes wait behind two writes that never finish: stop there.
        using var stop = new ListCallStop(4);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestLog = stop.Record }, default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, contacts, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var settings = new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100" };
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchUpdate, HubSyncWorker.Sandbox.Faults.SandboxFault.HangForever, count: 1000);

        var interrupted = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, stop.Token);
        Assert.True(interrupted.Outcome == ResyncOutcome.Cancelled, $"{interrupted.Outcome}: {interrupted.Error}");
        var saved = System.Text.Json.JsonSerializer.Deserialize<ResyncCheckpoint>(
            (await host.Services.GetRequiredService<HubSyncWorker.Storage.ICheckpointStore>().GetAsync(FullResync.CheckpointName(dryRun: false), default))!)!;
        Assert.True(saved.Pending?.Count > 50, $"the checkpoint holds {saved.Pending?.Count} unwritten changes");

        // A new process (same Redis), HubSpot answering again.
        sandbox.Faults.Clear();
        using var restarted = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        var resumed = await restarted.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        output.WriteLine($"Both runs, HubSpot calls by endpoint and status: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.True(resumed.Outcome == ResyncOutcome.Completed, $"{resumed.Outcome}: {resumed.Error}");
        Assert.Equal(contacts, resumed.Processed);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead, 400));
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")), $"contact {id} has no value"));
        sandbox.Stats.Reset();
        var again = await restarted.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);
        output.WriteLine($"Second resync: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal((ResyncOutcome.Completed, 0), (again.Outcome, again.Report.Changed));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
    }

    [Fact]
    public async Task RunAsync_ResumingWithUnwrittenChanges_EvaluatesThemAgainFromHubSpotsCurrentValues()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 250, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var firstPage = await host.Services.GetRequiredService<HubSyncWorker.HubSpot.IHubSpotCrmClient>().ListContactsAsync(new HubSyncWorker.HubSpot.Contacts.ContactListQuery(), default);

        // A run stopped after computing "lead status OPEN" for a contact of its first page and before writing it; hours later,
        // when it resumes, a salesperson has connected with the contact (a status sales owns, which the worker never overwrites).
        var contact = firstPage.Results[0].Id;
        var stale = new WriteBackPlan(contact, new Dictionary<string, string> { ["hs_lead_status"] = "OPEN", ["hubsync_status"] = "mql" }, ClearLifecycleStageFirst: false);
        var checkpoint = new ResyncCheckpoint(firstPage.NextAfter!, firstPage.Results.Count, DateTimeOffset.UtcNow.AddHours(-3), [stale]);
        await host.Services.GetRequiredService<HubSyncWorker.Storage.ICheckpointStore>().SetAsync(
            FullResync.CheckpointName(dryRun: false), System.Text.Json.JsonSerializer.Serialize(checkpoint), default);
        Assert.True(sandbox.Contacts.UpdateAsUser(contact, new Dictionary<string, string?> { ["hs_lead_status"] = "CONNECTED" }));

        var resumed = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, resumed.Outcome);
        var stored = sandbox.Contacts.GetContact(contact)!.Properties;
        Assert.Equal("CONNECTED", stored.GetValueOrDefault("hs_lead_status"));
        Assert.False(string.IsNullOrEmpty(stored.GetValueOrDefault("hubsync_status")));
        Assert.All(ids.Where(id => firstPage.Results.All(r => r.Id != id)), id =>
            Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")), $"contact {id} was skipped"));
    }

    [Fact]
    public async Task RunAsync_ConversionHistoryOfAContactUnreadable_LeavesThatContactUnwrittenInsteadOfScoringItOnTwoConversions()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 2).Select(i =>
        {
            var properties = PortalSeed.Contact(i, now);
            properties["num_conversion_events"] = "4";
            properties["first_conversion_event_name"] = "Newsletter signup";
            properties["recent_conversion_event_name"] = "Webinar replay";
            return sandbox.Contacts.AddContact(properties);
        }).ToList();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), configureServices: services =>
        {
            services.AddTransient<HubSyncWorker.HubSpot.HubSpotCrmClient>();
            services.AddTransient<HubSyncWorker.HubSpot.IHubSpotCrmClient>(sp => new OneContactErrorsClient(sp.GetRequiredService<HubSyncWorker.HubSpot.HubSpotCrmClient>(), ids[0]));
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.False(sandbox.Contacts.GetContact(ids[0])!.Properties.ContainsKey("hubsync_status"));
        Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(ids[1])!.Properties.GetValueOrDefault("hubsync_status")));
    }

    [Fact]
    public async Task RunAsync_DryRun_ReportsTransitionsAndWritesNothing()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 500, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:DryRun"] = "true" });

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: true, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.Equal(500, result.Report.Changed);
        Assert.Contains(result.Report.Transitions(), t => t.From == SyncReport.NoStatus && t.To == "mql");
        Assert.NotEmpty(result.Report.Samples());
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.PropertiesCreate));
    }

    [Theory]
    [InlineData(false, 1)]
    // Without multi-status HubSpot fails the whole batch (a 400 naming no input): the write-back bisects it, 7 calls down to the
    // bad input and one for each good half on the way (50, 25, 13, 6, 3, 2 inputs).
    [InlineData(true, 13)]
    public async Task RunAsync_OneInvalidValueInABatch_WritesTheOther99AndDeadLettersTheOne(bool wholeBatchRejected, int expectedUpdateCalls)
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000, RejectWholeBatchOnInvalidValue = wholeBatchRejected }, default);
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var properties = PortalSeed.Contact(i, now);
            properties["hs_lead_status"] = i == 0 ? null : "ATTEMPTED_TO_CONTACT";
            if (i == 0)
            {
                // A lead with no lead status: the worker sets NEW.
                properties["email"] = "first@acme.io";
                properties["jobtitle"] = "Student";
            }

            properties["num_conversion_events"] = "1";
            properties["first_conversion_event_name"] = properties["recent_conversion_event_name"] = "Contact us";
            ids.Add(sandbox.Contacts.AddContact(properties));
        }

        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        // The portal no longer offers "NEW" as a lead status: the one contact the worker would mark NEW gets a validation error.
        var leadStatus = sandbox.Properties.Find("hs_lead_status")!;
        Assert.True(sandbox.Properties.TryReplace(leadStatus with { Options = [.. leadStatus.Options.Where(o => o.Value != "NEW")] }));
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.Equal(expectedUpdateCalls, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        Assert.Equal(99, result.Writes.Written);
        Assert.Equal(1, result.Writes.DeadLettered);
        Assert.All(ids.Skip(1), id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
        Assert.False(sandbox.Contacts.GetContact(ids[0])!.Properties.ContainsKey("hubsync_status"));
        var deadLetter = Assert.Single(await host.Services.GetRequiredService<HubSyncWorker.Storage.IDeadLetterStore>().ListAsync(10, default));
        Assert.Equal(ids[0], deadLetter.ContactId);
        Assert.Equal("VALIDATION_ERROR", deadLetter.Category);
    }

    private static (string Status, bool Changed) Expected(QualificationPolicy policy, string id, Dictionary<string, string?> seed, DateTimeOffset now)
    {
        var names = new List<string>();
        // The realistic portal leaves the count unset for contacts that never converted.
        var count = int.Parse(seed.GetValueOrDefault("num_conversion_events") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        if (count >= 1)
        {
            names.Add(seed["first_conversion_event_name"]!);
        }

        if (count >= 2)
        {
            names.Add(seed["recent_conversion_event_name"]!);
        }

        var snapshot = new ContactSnapshot(id, seed, names);
        var decision = policy.Evaluate(snapshot, now);
        return (decision.Status.ToPropertyValue(), policy.ComputeChanges(snapshot, decision).HasChanges);
    }

    /// <summary>
    /// The second list page arrives only once HubSpot received a batch update, or after 30 s if none comes; records how many batch
    /// updates HubSpot had received when it arrived. (A fixed delay raced the due write on busy CI cores.)
    /// </summary>
    private sealed class SlowSecondPage(IHubSpotCrmClient inner, HubSpotSandbox sandbox) : DelegatingCrmClient(inner)
    {
        private int _lists;

        public long UpdatesWhenSecondPageArrived { get; private set; } = -1;

        public override async Task<HubSpot.Contacts.ContactPage> ListContactsAsync(HubSpot.Contacts.ContactListQuery query, CancellationToken cancellationToken)
        {
            var page = await base.ListContactsAsync(query, cancellationToken);
            if (Interlocked.Increment(ref _lists) == 2)
            {
                var giveUp = DateTimeOffset.UtcNow.AddSeconds(30);
                while (sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate) == 0 && DateTimeOffset.UtcNow < giveUp)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
                }

                UpdatesWhenSecondPageArrived = sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate);
            }

            return page;
        }
    }
}
