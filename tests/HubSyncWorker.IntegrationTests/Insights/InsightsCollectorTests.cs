using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Insights;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>
/// The insights collector against the strict sandbox: each qualified contact read as it was at its cut-off (never today's values),
/// the recorded scores spare the history reads, the lifecycle history dates stages when HubSpot's stage dates are empty, and the
/// call estimate made before the run is what the run calls, with no 429.
/// </summary>
[Collection("redis")]
public sealed class InsightsCollectorTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task CollectAsync_InputsChangedAfterTheMqlDate_AnalysesTheValuesItHadThen()
    {
        await using var sandbox = await StartSandboxAsync();
        var mqlAt = Now.AddDays(-60);
        var id = sandbox.Contacts.AddContacts([new SeedContact(Vp("vp@acme.io"),
        [
            new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead" },
            new Dictionary<string, string?> { ["jobtitle"] = "Student", ["numemployees"] = "2", ["recent_conversion_event_name"] = "Request a demo", ["num_conversion_events"] = "2" },
        ])
        { CreatedAt = Now.AddDays(-100), LaterTimestamps = [mqlAt, Now.AddDays(-10)] }])[0];
        using var host = Build(sandbox);

        var collected = await CollectAsync(host, new InsightsAsk());

        var contact = Assert.Single(collected.Contacts);
        Assert.Equal(id, contact.AtCutoff.Id);
        Assert.Equal(mqlAt.ToUnixTimeMilliseconds(), contact.Cutoff.ToUnixTimeMilliseconds());
        Assert.Equal("VP Marketing", contact.AtCutoff.Get("jobtitle"));
        Assert.Equal("200", contact.AtCutoff.Get("numemployees"));
        Assert.Equal(["Newsletter"], contact.AtCutoff.ConversionNames);
        Assert.Equal("1", contact.AtCutoff.Get("num_conversion_events"));
        Assert.Equal(1, collected.ReadAtCutoff);
        Assert.Equal("ORGANIC_SEARCH", contact.OriginalSource);
    }

    [Fact]
    public async Task CollectAsync_RecordedScoresOfThisPolicy_NoHistoryReadForThatContact()
    {
        await using var sandbox = await StartSandboxAsync();
        using var host = Build(sandbox);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var policy = host.Services.GetRequiredService<QualificationPolicy>();
        var recorded = new RecordedScores(75, 45, ["senior_title", "newsletter"], policy.Version);
        var withScores = Vp("recorded@acme.io");
        withScores[policy.OutputNames.ScoresAtMql] = recorded.Format();
        sandbox.Contacts.AddContacts([new SeedContact(withScores, [new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead" }])
            { CreatedAt = Now.AddDays(-90), LaterTimestamps = [Now.AddDays(-30)] }]);
        sandbox.Stats.Reset();

        var collected = await CollectAsync(host, new InsightsAsk());

        Assert.Equal(0, sandbox.Stats.HistoryBatchReads());
        Assert.Equal((1, 0), (collected.WithRecordedScores, collected.ReadAtCutoff));
        Assert.Equal(recorded, Assert.Single(collected.Contacts).AtMql);

        // The same contact without its recorded scores is read from its history.
        var other = Vp("unrecorded@acme.io");
        sandbox.Contacts.AddContacts([new SeedContact(other, [new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead" }])
            { CreatedAt = Now.AddDays(-90), LaterTimestamps = [Now.AddDays(-30)] }]);
        sandbox.Stats.Reset();
        collected = await CollectAsync(host, new InsightsAsk());
        Assert.Equal(1, sandbox.Stats.HistoryBatchReads());
        Assert.Equal((1, 1), (collected.WithRecordedScores, collected.ReadAtCutoff));
    }

    [Fact]
    public async Task CollectAsync_CustomLifecyclePropertyWithoutStageDates_DatesStagesFromItsHistory()
    {
        await using var sandbox = await StartSandboxAsync();
        sandbox.Properties.TryAdd(sandbox.Properties.Find("lifecyclestage")! with { Name = "funnel_stage", Label = "Funnel stage" });
        var policyFile = Path.Combine(Path.GetTempPath(), $"insights-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policyFile, PolicyLoader.DefaultPolicyJson.Replace("\"Property\": \"lifecyclestage\"", "\"Property\": \"funnel_stage\"", StringComparison.Ordinal));
        try
        {
            var mqlAt = Now.AddDays(-50);
            var sqlAt = Now.AddDays(-20);
            var values = Vp("custom@acme.io");
            values.Remove("lifecyclestage");
            values["funnel_stage"] = "lead";
            sandbox.Contacts.AddContacts([new SeedContact(values,
            [
                new Dictionary<string, string?> { ["funnel_stage"] = "marketingqualifiedlead" },
                new Dictionary<string, string?> { ["funnel_stage"] = "salesqualifiedlead", ["jobtitle"] = "Intern" },
            ])
            { CreatedAt = Now.AddDays(-80), LaterTimestamps = [mqlAt, sqlAt] }]);
            using var host = Build(sandbox, new Dictionary<string, string?> { ["Qualification:PolicyFile"] = policyFile });
            Assert.Equal("funnel_stage", host.Services.GetRequiredService<QualificationPolicy>().LifecycleProperty);

            var collected = await CollectAsync(host, new InsightsAsk());

            var contact = Assert.Single(collected.Contacts);
            Assert.Equal(1, collected.FromLifecycleHistory);
            Assert.Equal(Now.AddDays(-80).ToUnixTimeMilliseconds(), contact.Entered.Lead?.ToUnixTimeMilliseconds());
            Assert.Equal(mqlAt.ToUnixTimeMilliseconds(), contact.Entered.Mql?.ToUnixTimeMilliseconds());
            Assert.Equal(sqlAt.ToUnixTimeMilliseconds(), contact.Entered.Sql?.ToUnixTimeMilliseconds());
            Assert.Equal("VP Marketing", contact.AtCutoff.Get("jobtitle"));
        }
        finally
        {
            File.Delete(policyFile);
        }
    }

    [Fact]
    public async Task Run_StrictSandbox_EstimateIsTheCallsMadeAndNo429()
    {
        // HubSpot's real limits (100 per 10 s, 5 searches per second); only the search index answers at once, so the counting
        // searches see the contacts just imported.
        await using var sandbox = await StartSandboxAsync();
        using var host = Build(sandbox, new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var policy = host.Services.GetRequiredService<QualificationPolicy>();
        var seeds = new List<SeedContact>();
        for (var i = 0; i < 260; i++)
        {
            var values = Vp($"c{i}@acme.io");
            List<IReadOnlyDictionary<string, string?>> later = [];
            List<DateTimeOffset> at = [];
            if (i % 2 == 0)
            {
                later.Add(new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead" });
                at.Add(Now.AddDays(-40));
                if (i % 4 == 0)
                {
                    values[policy.OutputNames.ScoresAtMql] = new RecordedScores(60, 50, ["senior_title"], policy.Version).Format();
                }
            }

            seeds.Add(new SeedContact(values, later) { CreatedAt = Now.AddDays(-70), LaterTimestamps = at });
        }

        sandbox.Contacts.AddContacts(seeds);
        sandbox.Stats.Reset();
        InsightsEstimate? estimate = null;

        var outcome = await host.Services.GetRequiredService<InsightsRunner>().TryRunAsync(
            new InsightsJob(new InsightsAsk(), new InsightsRequest()), e => { estimate = e; return Task.CompletedTask; }, null, default);

        output.WriteLine($"estimate: {estimate!.Describe()}; made: {outcome!.Collection.Calls.Describe()}; sandbox: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal((2, 3, 65, 2), (estimate.Searches, estimate.Lists, estimate.HistoryContacts, estimate.HistoryReads));
        var calls = outcome.Collection.Calls;
        Assert.Equal((estimate.Searches, estimate.Lists, estimate.HistoryReads ?? -1), ((int)calls.Search, (int)calls.List, (int)calls.HistoryRead));
        Assert.Equal(estimate.Total, calls.Total);
        Assert.Equal(calls.Total, sandbox.Stats.TotalRequests);
        Assert.Equal((0, 0L), (sandbox.Stats.TotalRateLimited, calls.RateLimited));
        Assert.Equal(260, outcome.Report.Contacts);
    }

    [Fact]
    public async Task Run_MaxCalls_SampleShrinksToFitAndTheRunStaysWithin()
    {
        await using var sandbox = await StartSandboxAsync();
        using var host = Build(sandbox);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var seeds = Enumerable.Range(0, 300).Select(i => new SeedContact(Vp($"m{i}@acme.io"),
            [new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead" }])
            { CreatedAt = Now.AddDays(-70), LaterTimestamps = [Now.AddDays(-40)] }).ToList();
        sandbox.Contacts.AddContacts(seeds);
        sandbox.Stats.Reset();

        var outcome = await host.Services.GetRequiredService<InsightsRunner>().TryRunAsync(
            new InsightsJob(new InsightsAsk(MaxCalls: 7), new InsightsRequest()), null, null, default);

        // 2 searches + 2 lists (200 contacts) + 4 history reads (every one was qualified without recorded scores) = 8 > 7: 150 fit.
        output.WriteLine($"{outcome!.Collection.Calls.Describe()}; listed {outcome.Collection.Listed}");
        Assert.True(sandbox.Stats.TotalRequests <= 7, $"{sandbox.Stats.TotalRequests} calls");
        Assert.Equal(150, outcome.Collection.Listed);
    }

    private static async Task<HubSpotSandbox> StartSandboxAsync() =>
        await HubSpotSandbox.StartAsync(new SandboxOptions { SearchIndexLag = TimeSpan.Zero }, default);

    private IHost Build(HubSpotSandbox sandbox, IReadOnlyDictionary<string, string?>? extra = null) =>
        SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), extra);

    private static async Task<CollectedContacts> CollectAsync(IHost host, InsightsAsk ask)
    {
        var collector = host.Services.GetRequiredService<InsightsCollector>();
        var estimate = await collector.EstimateAsync(ask, default);
        return await collector.CollectAsync(estimate, ask, DateTimeOffset.UtcNow, null, default);
    }

    /// <summary>A senior, in-profile lead who subscribed to the newsletter: what a contact looks like when it becomes an MQL.</summary>
    private static Dictionary<string, string?> Vp(string email) => new()
    {
        ["email"] = email,
        ["firstname"] = "Ada",
        ["lastname"] = "Lovelace",
        ["company"] = "Acme",
        ["jobtitle"] = "VP Marketing",
        ["industry"] = "COMPUTER_SOFTWARE",
        ["numemployees"] = "200",
        ["country"] = "France",
        ["hs_analytics_source"] = "ORGANIC_SEARCH",
        ["first_conversion_event_name"] = "Newsletter",
        ["recent_conversion_event_name"] = "Newsletter",
        ["num_conversion_events"] = "1",
        ["lifecyclestage"] = "lead",
    };
}
