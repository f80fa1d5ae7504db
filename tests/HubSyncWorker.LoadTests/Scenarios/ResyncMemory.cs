using System.Diagnostics;
using System.Globalization;
using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sync;

namespace HubSyncWorker.LoadTests.Scenarios;

/// <summary>
/// <c>resync-memory</c>: the peak working set of a process running one full resync, for several portal sizes. The sandbox
/// (which holds every contact) runs in a child process of its own (<c>sandbox</c> mode) and the resync in another
/// (<c>resync</c> mode), so the figure is the worker's alone. The sandbox enforces no limit and the worker runs at the highest budget it accepts (1,000 / 10 s): this measures memory, not pacing.
/// </summary>
internal static class ResyncMemory
{
    private const string UrlLine = "SANDBOX-URL ";
    private const string ResultLine = "RESYNC-RESULT ";

    public static async Task<int> RunAsync(ScenarioArguments args)
    {
        var sizes = args.Ints("contacts", 10_000, 100_000);
        await using var redis = await RedisServer.StartAsync();
        Console.WriteLine("| contacts | changed | resync (s) | peak working set (MB) | working set before (MB) | GC heap after (MB) | allocated (MB) | gen0/gen1/gen2 GCs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var size in sizes)
        {
            await using var sandbox = ChildProcess.Start("sandbox", "--contacts", size.ToString(CultureInfo.InvariantCulture));
            var url = await sandbox.ReadLineStartingWithAsync(UrlLine, TimeSpan.FromMinutes(2));
            var parts = url.Split(' ');
            await using var resync = ChildProcess.Start("resync", "--url", parts[0], "--token", parts[1], "--redis", redis.ConnectionString, "--prefix", $"mem{size}:");
            var result = await resync.ReadLineStartingWithAsync(ResultLine, TimeSpan.FromMinutes(10));
            Console.WriteLine($"| {size} | {result} |");
        }

        return 0;
    }

    /// <summary><c>sandbox</c> mode: serves a seeded sandbox without rate limits until stdin closes.</summary>
    public static async Task<int> ServeSandboxAsync(ScenarioArguments args)
    {
        var contacts = args.Int("contacts", 10_000);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false }, CancellationToken.None);
        new PortalGenerator().Seed(sandbox.Contacts, contacts, DateTimeOffset.UtcNow);
        Console.WriteLine($"{UrlLine}{sandbox.BaseUrl} {sandbox.AccessToken}");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <summary><c>resync</c> mode: one full resync against <c>--url</c> in this process; prints its memory figures.</summary>
    public static async Task<int> RunResyncAsync(ScenarioArguments args)
    {
        var settings = WorkerHosts.Settings(
            args.String("url") ?? throw new ArgumentException("--url is required"),
            args.String("token") ?? throw new ArgumentException("--token is required"),
            args.String("redis") ?? throw new ArgumentException("--redis is required"),
            args.String("prefix", "mem:"),
            requestsPerTenSeconds: 1_000);
        settings["HubSpot:SearchRequestsPerSecond"] = "5";
        using var host = WorkerHosts.Build(settings, WorkerFeatures.None);
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(CancellationToken.None);
        using var self = Process.GetCurrentProcess();
        var before = self.WorkingSet64;
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, CancellationToken.None);
        if (result.Outcome != ResyncOutcome.Completed)
        {
            Console.Error.WriteLine($"Resync ended {result.Outcome}: {result.Error}");
            return 1;
        }

        self.Refresh();
        const double MB = 1024 * 1024;
        var info = GC.GetGCMemoryInfo();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ResultLine}{result.Report.Changed} | {result.Duration.TotalSeconds:F1} | {self.PeakWorkingSet64 / MB:F0} | {before / MB:F0} | {info.HeapSizeBytes / MB:F0} | {GC.GetTotalAllocatedBytes() / MB:F0} | {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}"));
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
