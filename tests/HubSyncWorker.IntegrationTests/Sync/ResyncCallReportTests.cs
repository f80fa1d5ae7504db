using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using HubSyncWorker.Cli;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// Every HubSpot call a resync makes is visible: the counts it reports per kind are the sandbox's own, history reads and the
/// property bootstrap included, and the calls of a queue consumer working at the same time are not in them.
/// </summary>
[Collection("redis")]
public sealed class ResyncCallReportTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Contacts = 300;

    [Fact]
    public async Task RunAsync_PortalWithConversionHistories_ReportsTheSandboxsCountsPerKind()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var historyReads = HistoryReads(sandbox, PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow));
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        output.WriteLine($"{result.Calls.Describe()}; sandbox: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        AssertSandboxCounts(sandbox.Stats, result.Calls);
        Assert.Equal((3, historyReads, 3, 1), (result.Calls.List, result.Calls.HistoryRead, result.Calls.BatchUpdate, result.Calls.Search));
        Assert.Equal((0, 0), (result.Calls.Retries, result.Calls.RateLimited));
        Assert.Equal(result.Duration, result.Calls.Wall);
    }

    [Fact]
    public async Task RunAsync_DryRun_ReportsItsReadsAndNoUpdate()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var historyReads = HistoryReads(sandbox, PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow));
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:DryRun"] = "true" });
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: true, waitForLock: false, default);

        Assert.Equal((ResyncOutcome.Completed, Contacts), (result.Outcome, result.Report.Changed));
        AssertSandboxCounts(sandbox.Stats, result.Calls);
        Assert.Equal((3, historyReads, 0), (result.Calls.List, result.Calls.HistoryRead, result.Calls.BatchUpdate));
    }

    [Fact]
    public async Task RunAsync_ResumedAfterAStop_CountsTheReReadsOfCurrentValuesAsBatchReads()
    {
        // Stopped at the third list call with changes pending and histories awaited: the resumed run reads those contacts'
        // current values again (batch reads) before it lists on.
        using var stop = new ListCallStop(3);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestLog = stop.Record }, default);
        PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var settings = new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100", ["Sync:ResyncMaxPendingAge"] = "00:05:00" };
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var stopped = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, stop.Token);
        Assert.Equal(ResyncOutcome.Cancelled, stopped.Outcome);
        Assert.True(stopped.Calls.List > 0, "a stopped run reports the calls it made too");
        sandbox.Stats.Reset();

        var resumed = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        output.WriteLine($"{resumed.Calls.Describe()}; sandbox: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal(ResyncOutcome.Completed, resumed.Outcome);
        Assert.True(resumed.Calls.BatchRead > 0, "the resumed run read current values again");
        AssertSandboxCounts(sandbox.Stats, resumed.Calls);
    }

    [Fact]
    public async Task RunAsync_PortalBudgetBelowTheWorkers_CountsEvery429AndRetryOfItsCalls()
    {
        // The portal allows 12 calls per 10 s and the worker thinks it has 1,000: some calls are refused and retried after the window.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 12 }, default);
        PortalSeed.SeedWithConversionHistories(sandbox, 600, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = "00:05:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        output.WriteLine($"{result.Calls.Describe()}; sandbox: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        AssertSandboxCounts(sandbox.Stats, result.Calls);
        Assert.True(sandbox.Stats.TotalRateLimited > 0, "the portal refused some calls");
        Assert.Equal(sandbox.Stats.TotalRateLimited, result.Calls.RateLimited);
        Assert.Equal(sandbox.Stats.TotalRateLimited, result.Calls.Retries);
    }

    [Fact]
    public async Task RunAsync_QueueConsumerWorkingAtTheSameTime_ItsCallsAreNotInTheResyncsTally()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow);
        var settings = SandboxWorkerSettings.For(sandbox, redis.ConnectionString, "calls-test-secret", new Dictionary<string, string?>
        {
            ["HubSpot:RequestsPerTenSeconds"] = "100",
            ["Sync:QueueBatchSize"] = "50",
        });
        await using var worker = await WorkerApplication.StartAsync(settings, WorkerFeatures.All);
        await worker.Services.GetRequiredService<BootstrapGate>().WaitAsync(default);
        sandbox.Stats.Reset();

        // The consumer reads and writes these contacts (batch reads of current values) while the resync runs.
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync([.. ids.Select(id => new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow))], default);
        var result = await worker.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);
        await Eventually.ReturnsAsync(() => queue.GetStatsAsync(default), s => s is { Pending: 0, Unacknowledged: 0 }, TimeSpan.FromSeconds(60), "the queue drained");

        output.WriteLine($"{result.Calls.Describe()}; sandbox: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        var currentValueReads = sandbox.Stats.CurrentBatchReads();
        Assert.True(currentValueReads > 0, "the consumer read its contacts");
        Assert.Equal(0, result.Calls.BatchRead);
        Assert.Equal(sandbox.Stats.Requests(SandboxEndpoint.ContactsList), result.Calls.List);
        Assert.Equal(result.Writes.Calls, result.Calls.BatchUpdate);
        Assert.True(result.Calls.Total < sandbox.Stats.TotalRequests, "the consumer's calls are the rest");
    }

    [Fact]
    public async Task ResyncVerb_Bootstrap_PrintsEveryCallByKindAsTheSandboxCountedThem()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var historyReads = HistoryReads(sandbox, PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(
            [
                "resync",
                $"--HubSpot:BaseUrl={sandbox.BaseUrl}", "--HubSpot:AllowCustomBaseUrl=true", $"--HubSpot:AccessToken={sandbox.AccessToken}",
                "--HubSpot:RequestsPerTenSeconds=100", $"--Redis:ConnectionString={redis.ConnectionString}", $"--Redis:KeyPrefix={RedisServerFixture.NewKeyPrefix()}",
                "--Logging:LogLevel:Default=Warning",
            ],
            stdout,
            stderr);

        output.WriteLine(stdout.ToString());
        Assert.True(exit == WorkerCommands.Success, stderr.ToString());
        var stats = sandbox.Stats;
        var properties = Properties(stats);
        Assert.True(properties > 0, "the bootstrap read the portal's properties");
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture,
                $"  HubSpot calls: list 3, search 1, batch read 0, history read {stats.HistoryBatchReads()}, batch update 3, properties {properties}, other 0 ({stats.TotalRequests} in all: 0 retries, 0 429s)"),
            stdout.ToString(),
            StringComparison.Ordinal);
        Assert.Equal(historyReads, stats.HistoryBatchReads());
        Assert.Contains("  time: wall ", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminResync_Finished_JsonAndMetricsShowItsCallsDurationAndIdeal()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var historyReads = HistoryReads(sandbox, PortalSeed.SeedWithConversionHistories(sandbox, Contacts, DateTimeOffset.UtcNow));
        const string token = "calls-test-admin-token-0123456789";
        var settings = SandboxWorkerSettings.For(sandbox, redis.ConnectionString, "calls-test-secret", new Dictionary<string, string?>
        {
            ["HubSpot:RequestsPerTenSeconds"] = "100",
            ["Admin:Token"] = token,
        });
        await using var worker = await WorkerApplication.StartAsync(settings);
        await worker.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();
        worker.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Null(await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"list\"}"));

        (await worker.Client.PostAsync("/admin/resync", null)).EnsureSuccessStatusCode();
        var status = await Eventually.ReturnsAsync(
            async () => JsonDocument.Parse(await worker.Client.GetStringAsync("/admin/resync")).RootElement.GetProperty("lastRun").Clone(),
            run => run.GetProperty("finishedAt").ValueKind != JsonValueKind.Null,
            TimeSpan.FromSeconds(60),
            "the admin resync finished");

        output.WriteLine(status.ToString());
        Assert.Equal("Completed", status.GetProperty("outcome").GetString());
        var calls = status.GetProperty("calls");
        Assert.Equal(3, calls.GetProperty("list").GetInt64());
        Assert.Equal(historyReads, calls.GetProperty("historyRead").GetInt64());
        Assert.Equal(3, calls.GetProperty("batchUpdate").GetInt64());
        Assert.Equal(sandbox.Stats.TotalRequests, calls.GetProperty("total").GetInt64());
        Assert.True(calls.TryGetProperty("ideal", out _) && calls.TryGetProperty("wall", out _), "the ideal and the wall time are in the JSON");

        Assert.Equal(3, await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"list\"}"));
        Assert.Equal(historyReads, await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"history_read\"}"));
        Assert.Equal(3, await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"batch_update\"}"));
        Assert.Equal(1, await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"search\"}"));
        Assert.Equal(0, await ScrapeAsync(worker, "hubsync_resync_last_calls{kind=\"batch_read\"}"));
        Assert.Equal(0, await ScrapeAsync(worker, "hubsync_resync_last_rate_limited"));
        Assert.Equal(0, await ScrapeAsync(worker, "hubsync_resync_last_ideal_seconds"));
        Assert.True(await ScrapeAsync(worker, "hubsync_resync_last_duration_seconds") > 0, "the duration is shown");
    }

    /// <summary>
    /// ⌈H/50⌉: the history reads a first resync of <paramref name="ids"/> needs, H being the contacts with more than two conversions
    /// (only their history holds conversions the current values do not show), read 50 at a time across pages.
    /// </summary>
    private static int HistoryReads(HubSpotSandbox sandbox, IEnumerable<string> ids)
    {
        var withHistory = ids.Count(id => int.TryParse(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("num_conversion_events"), CultureInfo.InvariantCulture, out var n) && n > 2);
        Assert.InRange(withHistory, 51, 150); // a third of 300: more than one read, so filling across pages is what is counted
        return (withHistory + 49) / 50;
    }

    /// <summary>
    /// Per kind, what the sandbox answered: list, search, history reads and the other batch reads, updates, property calls. A batch
    /// read the sandbox refused with a 429 was refused before its body was read, so the sandbox cannot tell whether it asked for
    /// history: those go to whichever of the two kinds the worker counted them in. Answers of 499 are left out: a request a stopped
    /// run abandoned, which the sandbox may finish answering after the counters were reset for the next run.
    /// </summary>
    private static void AssertSandboxCounts(SandboxStats stats, HubSpotCallReport calls)
    {
        const int Abandoned = 499;
        long Answered(string endpoint) => stats.Requests(endpoint) - stats.Requests(endpoint, Abandoned);
        var abandoned = stats.RequestsByEndpointAndStatus.Where(r => r.Key.Status == Abandoned).Sum(r => r.Value);
        var refusedReads = stats.Requests(SandboxEndpoint.ContactsBatchRead, 429);
        var historyReads = stats.HistoryBatchReads() - stats.HistoryBatchReads(Abandoned);
        Assert.Equal(
            (Answered(SandboxEndpoint.ContactsList), Answered(SandboxEndpoint.ContactsSearch), Answered(SandboxEndpoint.ContactsBatchRead),
                Answered(SandboxEndpoint.ContactsBatchUpdate), Properties(stats), stats.TotalRequests - abandoned),
            (calls.List, calls.Search, calls.BatchRead + calls.HistoryRead, calls.BatchUpdate, calls.Properties, calls.Total));
        Assert.InRange(calls.HistoryRead, historyReads, historyReads + refusedReads);
    }

    private static long Properties(SandboxStats stats) =>
        new[] { SandboxEndpoint.PropertiesList, SandboxEndpoint.PropertiesGet, SandboxEndpoint.PropertiesCreate, SandboxEndpoint.PropertiesUpdate, SandboxEndpoint.GroupsList, SandboxEndpoint.GroupsCreate }
            .Sum(endpoint => stats.Requests(endpoint));

    private static async Task<double?> ScrapeAsync(WorkerApplication worker, string sample)
    {
        var text = await worker.Client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
