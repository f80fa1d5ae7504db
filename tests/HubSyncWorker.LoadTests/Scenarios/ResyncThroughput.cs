using System.Diagnostics;
using System.Globalization;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;

namespace HubSyncWorker.LoadTests.Scenarios;

/// <summary>
/// <c>resync-throughput</c>: full resyncs against a sandbox that enforces HubSpot's rolling 10-second budget, with the worker
/// configured for the same budget, compared with the budget-limited ideal. Run 1 is a first resync (most contacts change),
/// run 2 a resync right after it (nothing changes). With <c>--replicas 3</c>, three worker hosts share one Redis: all three
/// start the resync (the lock lets one run it) while every replica's queue consumer works through <c>--queue</c> contact ids,
/// so the budget is shared by the resync and two other consumers.
/// </summary>
internal static class ResyncThroughput
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ScenarioArguments args)
    {
        var contacts = args.Int("contacts", 20_000);
        var budget = args.Int("budget", 100);
        var replicas = args.Int("replicas", 1);
        var queued = args.Int("queue", replicas > 1 ? 3_000 : 0);
        var runs = args.Int("runs", 2);

        // The worker's configured budget; by default the sandbox's. A lower one shows what a safety margin does to the 429s.
        var workerBudget = args.Int("worker-budget", budget);
        var showTimeline = args.String("timeline") is not null;

        var extraSettings = args.WorkerSettings();

        await using var redis = await RedisServer.StartAsync();
        var timeline = new RequestTimeline();
        await using var sandbox = await HubSpotSandbox.StartAsync(
            new SandboxOptions { EnforceRateLimits = true, RequestsPerTenSeconds = budget, RequestLog = timeline.Record },
            CancellationToken.None);
        var seedClock = Stopwatch.StartNew();
        new PortalGenerator().Seed(sandbox.Contacts, contacts, DateTimeOffset.UtcNow);
        Console.WriteLine($"resync-throughput: {contacts} contacts seeded in {seedClock.Elapsed.TotalSeconds:F1} s; budget {budget}/10 s enforced, worker configured for {workerBudget}{string.Concat(extraSettings.Select(e => $", {e.Key}={e.Value}"))}; {replicas} replica(s); {queued} queued ids");

        var hosts = new List<IHost>();
        try
        {
            for (var i = 0; i < replicas; i++)
            {
                var settings = WorkerHosts.Settings(sandbox.BaseUrl, sandbox.AccessToken, redis.ConnectionString, "bench:", workerBudget);
                settings["Sync:ConsumerName"] = $"replica-{i}";
                foreach (var (key, value) in extraSettings)
                {
                    settings[key] = value;
                }

                var host = WorkerHosts.Build(settings, WorkerFeatures.Background);
                await host.StartAsync();
                hosts.Add(host);
            }

            Console.WriteLine("| run | replicas | contacts | changed | list calls | update calls | batch read (current) | batch read (history) | 429s | 429 % | wall (s) | ideal (s) | throughput vs ideal | contacts/s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (var run = 1; run <= runs; run++)
            {
                await MeasureAsync(run, hosts, sandbox, timeline, contacts, budget, queued, showTimeline);
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }

        return 0;
    }

    private static async Task MeasureAsync(int run, List<IHost> hosts, HubSpotSandbox sandbox, RequestTimeline timeline, int contacts, int budget, int queued, bool showTimeline)
    {
        // Both rolling windows (the sandbox's and the worker's in Redis) empty, as for a resync started on a quiet portal.
        await Task.Delay(Window + TimeSpan.FromSeconds(1));
        sandbox.Stats.Reset();
        timeline.Start();
        var origin = timeline.Now;
        var queue = hosts[0].Services.GetRequiredService<IWorkQueue>();
        if (queued > 0)
        {
            var now = DateTimeOffset.UtcNow;
            await queue.EnqueueAsync([.. Enumerable.Range(1, queued).Select(id => new WorkItem(id.ToString(CultureInfo.InvariantCulture), WorkReason.Manual, now))], CancellationToken.None);
        }

        var results = await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, CancellationToken.None)));
        var resyncDone = timeline.Now;
        while (await queue.GetStatsAsync(CancellationToken.None) is { } stats && (stats.Pending > 0 || stats.Unacknowledged > 0))
        {
            await Task.Delay(50);
        }

        var allDone = timeline.Now;
        timeline.Stop();

        var completed = results.Where(r => r.Outcome == ResyncOutcome.Completed).ToList();
        if (completed.Count != 1 || results.Length - completed.Count != results.Count(r => r.Outcome == ResyncOutcome.AlreadyRunning))
        {
            throw new InvalidOperationException($"Expected exactly one resync to run and the others to find it running; got {string.Join(", ", results.Select(r => r.Outcome))}.");
        }

        var result = completed[0];
        var entries = timeline.Entries;
        var standard = entries.Count(e => e.Endpoint != SandboxEndpoint.ContactsSearch && e.Status != 429);
        var searches = entries.Count(e => e.Endpoint == SandboxEndpoint.ContactsSearch && e.Status != 429);
        var limited = sandbox.Stats.TotalRateLimited;
        var total = sandbox.Stats.TotalRequests;
        var wall = (queued > 0 ? allDone : resyncDone) - origin;

        // The worker's own rule (its resync summary and gauges): ⌊(C−1)/B⌋ whole windows for C calls, searches on their own budget.
        var ideal = new HubSpotBudget(budget, sandbox.Options.SearchRequestsPerSecond).Ideal(standard, searches);
        var fraction = ideal > TimeSpan.Zero ? ideal / wall : double.NaN;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {run} | {hosts.Count} | {result.Processed} | {result.Report.Changed} | {sandbox.Stats.Requests(SandboxEndpoint.ContactsList)} | {sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate)} | {sandbox.Stats.CurrentBatchReads()} | {sandbox.Stats.HistoryBatchReads()} | {limited} | {100.0 * limited / Math.Max(1, total):F2} % | {wall.TotalSeconds:F1} | {ideal.TotalSeconds:F0} | {fraction:P1} | {result.Processed / wall.TotalSeconds:F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    run {run}: {standard} budgeted requests answered (+{limited} 429s, {sandbox.Stats.Requests(SandboxEndpoint.ContactsSearch)} searches); resync {result.Duration.TotalSeconds:F1} s, all work {(allDone - origin).TotalSeconds:F1} s; last request answered at {(entries.Count > 0 ? (entries[^1].At - origin).TotalSeconds : 0):F1} s"));
        if (showTimeline)
        {
            Console.WriteLine($"    per second: {timeline.PerSecond(origin)}");
        }
    }
}
