using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sync;

namespace HubSyncWorker.LoadTests.Scenarios;

/// <summary>
/// <c>resync-passes</c> (issue 17): the worker and a plain script on HubSpot's official Node client (<c>peer/resync.js</c>) side by side,
/// each on its own sandbox seeded with the same realistic portal and enforcing the same budget, for three passes: (a) the first resync,
/// (b) a resync after the portal's edit operation changed about 10 % of the contacts, (c) a resync with nothing to write. Each pass
/// prints every call by endpoint, the 429s, the wall time and the budget-limited ideal, and checks the issue's targets.
/// </summary>
internal static class ResyncPasses
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(ScenarioArguments args)
    {
        var contacts = args.Int("contacts", 20_000);
        var budget = args.Int("budget", 190);
        var seed = args.Int("seed", 7);
        var peerDirectory = args.String("peer") ?? FindPeerDirectory();
        if (!File.Exists(Path.Combine(peerDirectory, "node_modules", "@hubspot", "api-client", "package.json")))
        {
            Console.Error.WriteLine($"resync-passes: run `npm ci` in {peerDirectory} first (the plain script needs HubSpot's official client).");
            return 2;
        }

        await using var redis = await RedisServer.StartAsync();
        var options = () => new SandboxOptions { EnforceRateLimits = true, RequestsPerTenSeconds = budget };
        await using var workerSandbox = await HubSpotSandbox.StartAsync(options(), CancellationToken.None);
        await using var peerSandbox = await HubSpotSandbox.StartAsync(options(), CancellationToken.None);
        var portal = new PortalGenerator(seed);
        var now = DateTimeOffset.UtcNow;
        var seedClock = Stopwatch.StartNew();
        var ids = portal.Seed(workerSandbox.Contacts, contacts, now);
        portal.Seed(peerSandbox.Contacts, contacts, now);
        var withHistory = ids.Count(id => Conversions(workerSandbox, id) > 2);
        Console.WriteLine(string.Create(Inv,
            $"resync-passes: 2 × {contacts:N0} contacts (seed {seed}) seeded in {seedClock.Elapsed.TotalSeconds:F1} s; {withHistory:N0} with more than two conversions (H); budget {budget}/10 s enforced; {Environment.ProcessorCount} cores"));

        var settings = WorkerHosts.Settings(workerSandbox.BaseUrl, workerSandbox.AccessToken, redis.ConnectionString, "passes:", budget);
        foreach (var (key, value) in args.WorkerSettings())
        {
            settings[key] = value;
            Console.WriteLine($"worker setting: {key}={value}");
        }

        using var host = WorkerHosts.Build(settings, WorkerFeatures.None);
        await host.StartAsync();
        try
        {
            var edit = new PortalEdit([], []);
            foreach (var pass in new[] { 'a', 'b', 'c' })
            {
                if (pass == 'c')
                {
                    edit = new PortalEdit([], []);
                }

                if (pass == 'b')
                {
                    edit = portal.Edit(workerSandbox.Contacts, ids, DateTimeOffset.UtcNow);
                    var peerEdit = portal.Edit(peerSandbox.Contacts, ids, DateTimeOffset.UtcNow);
                    if (!peerEdit.Changed.SequenceEqual(edit.Changed) || !peerEdit.Converted.SequenceEqual(edit.Converted))
                    {
                        throw new InvalidOperationException("The two sandboxes were edited differently: they no longer hold the same portal.");
                    }
                }

                var moved = edit.Converted.Count(id => Conversions(workerSandbox, id) > 2);
                var worker = await MeasureWorkerAsync(host, workerSandbox, budget, bootstrap: pass == 'a');
                var peer = await MeasurePeerAsync(peerDirectory, peerSandbox, budget);
                Report(pass, contacts, budget, withHistory, edit, moved, worker, peer);
            }
        }
        finally
        {
            await host.StopAsync();
        }

        return 0;
    }

    /// <summary>One resync; the first pass includes the property bootstrap, which the worker runs once at start.</summary>
    private static async Task<PassResult> MeasureWorkerAsync(IHost host, HubSpotSandbox sandbox, int budget, bool bootstrap)
    {
        // Both rolling windows (the sandbox's and the worker's in Redis) empty, as for a resync started on a quiet portal.
        await Task.Delay(Window + TimeSpan.FromSeconds(1));
        sandbox.Stats.Reset();
        var clock = Stopwatch.StartNew();
        if (bootstrap)
        {
            await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(CancellationToken.None);
        }

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, CancellationToken.None);
        clock.Stop();
        if (result.Outcome != ResyncOutcome.Completed)
        {
            throw new InvalidOperationException($"The worker's resync ended {result.Outcome}: {result.Error}");
        }

        return PassResult.From(sandbox.Stats, clock.Elapsed, (int)result.Report.Changed, budget);
    }

    private static async Task<PassResult> MeasurePeerAsync(string peerDirectory, HubSpotSandbox sandbox, int budget)
    {
        await Task.Delay(Window + TimeSpan.FromSeconds(1));
        sandbox.Stats.Reset();
        var start = new ProcessStartInfo("node") { WorkingDirectory = peerDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "resync.js", "--base-url", sandbox.BaseUrl, "--token", sandbox.AccessToken })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var errors = node.StandardError.ReadToEndAsync();
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        clock.Stop();
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"The plain script exited with {node.ExitCode}: {await errors}");
        }

        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var updated = json.RootElement.GetProperty("updated").GetInt32();

        // The sandbox's counters are the reference; the script's own wall time leaves out node's start.
        var wall = TimeSpan.FromSeconds(json.RootElement.GetProperty("wallSeconds").GetDouble());
        return PassResult.From(sandbox.Stats, wall, updated, budget);
    }

    private static void Report(char pass, int contacts, int budget, int withHistory, PortalEdit edit, int moved, PassResult worker, PassResult peer)
    {
        var title = pass switch
        {
            'a' => "(a) first resync, every contact evaluated",
            'b' => string.Create(Inv, $"(b) after the edit operation changed {edit.Changed.Count:N0} contacts ({edit.Converted.Count:N0} converted once more, {moved:N0} of them now with more than two conversions)"),
            _ => "(c) nothing changed since (b)",
        };
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| tool | contacts written | list | search | batch read (current) | batch read (history) | batch update | properties/bootstrap | calls | 429s | wall (s) | ideal (s) | ideal / wall | calls × 10 s / budget (s) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(worker.Row("HubSyncWorker"));
        Console.WriteLine(peer.Row("plain script (@hubspot/api-client)"));
        Console.WriteLine();

        if (pass == 'a')
        {
            var target = Ceiling(contacts, 100) + Ceiling(withHistory, 50) + Ceiling(worker.Written, 100) + worker.Bootstrap;
            Console.WriteLine(string.Create(Inv,
                $"- target (a): ⌈N/100⌉ + ⌈H/50⌉ + ⌈C/100⌉ + bootstrap = {Ceiling(contacts, 100)} + {Ceiling(withHistory, 50)} + {Ceiling(worker.Written, 100)} + {worker.Bootstrap} = {target}; worker made {worker.Budgeted} (+{worker.Search} search, on its own budget): {Met(worker.Budgeted <= target)}"));
        }
        else
        {
            var history = Ceiling(moved, 50);
            Console.WriteLine(string.Create(Inv,
                $"- history reads only for contacts whose conversion count moved: {moved:N0} such contacts → at most {history} reads; worker made {worker.HistoryReads}: {Met(worker.HistoryReads <= history)}"));
        }

        Console.WriteLine(string.Create(Inv, $"- worker at ≥ 95 % of the budget-limited ideal: {worker.Fraction:P1}: {Met(worker.Fraction >= 0.95 || worker.Ideal == TimeSpan.Zero)}; 0 429s: {Met(worker.RateLimited == 0)}"));
        if (pass == 'c')
        {
            Console.WriteLine(string.Create(Inv, $"- (c) at least as fast as the plain script: {worker.Wall.TotalSeconds:F1} s vs {peer.Wall.TotalSeconds:F1} s: {Met(worker.Wall <= peer.Wall)}"));
        }
    }

    private static string Met(bool met) => met ? "met" : "**missed**";

    private static int Ceiling(int count, int per) => (count + per - 1) / per;

    private static int Conversions(HubSpotSandbox sandbox, string id) =>
        int.Parse(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("num_conversion_events") ?? "0", Inv);

    /// <summary>The repository's <c>tests/HubSyncWorker.LoadTests/peer</c>, found upwards from the running binary.</summary>
    private static string FindPeerDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "HubSyncWorker.LoadTests", "peer");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/HubSyncWorker.LoadTests/peer not found above the binary; pass --peer <directory>.");
    }

    /// <summary>One tool's pass as the sandbox saw it.</summary>
    private sealed record PassResult(
        int Written, long List, long Search, long CurrentReads, long HistoryReads, long Updates, int Bootstrap, long RateLimited, TimeSpan Wall, TimeSpan Ideal, int Budget)
    {
        /// <summary>Calls answered (429s left out: they are counted apart).</summary>
        public int Calls => (int)(List + Search + CurrentReads + HistoryReads + Updates + Bootstrap);

        /// <summary>Calls on the 10-second budget (searches have their own).</summary>
        public int Budgeted => Calls - (int)Search;

        /// <summary>The budget-limited ideal over the wall time: 100 % is a pass as fast as the budget allows.</summary>
        public double Fraction => Ideal > TimeSpan.Zero ? Ideal / Wall : double.NaN;

        public static PassResult From(SandboxStats stats, TimeSpan wall, int written, int budget)
        {
            long Answered(string endpoint) => stats.Requests(endpoint) - stats.Requests(endpoint, 429);
            var bootstrap = new[]
            {
                SandboxEndpoint.PropertiesList, SandboxEndpoint.PropertiesGet, SandboxEndpoint.PropertiesCreate, SandboxEndpoint.PropertiesUpdate,
                SandboxEndpoint.GroupsList, SandboxEndpoint.GroupsCreate,
            }.Sum(Answered);
            var reads = Answered(SandboxEndpoint.ContactsBatchRead);
            var history = stats.HistoryBatchReads() - stats.HistoryBatchReads(429);
            var result = new PassResult(written, Answered(SandboxEndpoint.ContactsList), Answered(SandboxEndpoint.ContactsSearch), reads - history, history,
                Answered(SandboxEndpoint.ContactsBatchUpdate), (int)bootstrap, stats.TotalRateLimited, wall, TimeSpan.Zero, budget);

            // The rolling window lets B requests through at once, then B more each time the oldest leave: request k (from 0) can go at
            // ⌊k/B⌋ × 10 s at the earliest, so C requests need at least ⌊(C−1)/B⌋ × 10 s (searches have a budget of their own).
            return result with { Ideal = result.Budgeted <= budget ? TimeSpan.Zero : Window * ((result.Budgeted - 1) / budget) };
        }

        public string Row(string tool) => string.Create(Inv,
            $"| {tool} | {Written:N0} | {List} | {Search} | {CurrentReads} | {HistoryReads} | {Updates} | {Bootstrap} | {Calls} | {RateLimited} | {Wall.TotalSeconds:F1} | {Ideal.TotalSeconds:F0} | {(double.IsNaN(Fraction) ? "n/a (under one window)" : Fraction.ToString("P1", Inv))} | {Budgeted * 10.0 / Budget:F1} |");
    }
}
