using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.LoadTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.LoadTests.Scenarios;

/// <summary>
/// <c>webhook-load</c>: wrk against the worker's <c>POST /webhooks/hubspot</c> (real Kestrel, real Redis, queue consumer off so
/// only the endpoint is measured: verify, dedupe, enqueue, answer) and against a bare Kestrel endpoint that reads the body and
/// answers 200, in the same run. Deliveries are pre-signed, distinct 10-event batches written to a file the Lua script cycles through.
/// </summary>
internal static partial class WebhookLoad
{
    private const string Secret = "bench-webhook-secret";
    private const int EventsPerDelivery = 10;

    public static async Task<int> RunAsync(ScenarioArguments args)
    {
        var batches = args.Int("batches", 100_000);
        var duration = args.Int("duration", 20);
        var connections = args.Int("connections", 32);
        var threads = args.Int("threads", 2);
        var warmupSeconds = args.Int("warmup", 10);
        var script = args.String("script", Path.Combine(FindRepositoryRoot(), "scripts", "wrk-webhooks.lua"));

        // --host-baseline: also load a bare endpoint on the worker's own pipeline (its middleware, metrics, logging), which
        // separates what the worker's host costs from what its webhook handling costs.
        var hostBaseline = args.Flag("host-baseline");

        // --rounds N: measure the endpoints N times in turn, each worker round on deliveries of its own, and report the median
        // ratio: separate runs on a shared machine vary by ±10 %, more than most changes to judge.
        var rounds = args.Int("rounds", 1);

        await using var redis = await RedisServer.StartAsync();
        var settings = WorkerHosts.Settings("http://127.0.0.1:9", "unused-no-hubspot-call-is-made", redis.ConnectionString, "webhook-load:", 100);
        settings["Webhooks:ClientSecret"] = Secret;
        settings["Webhooks:MaxTimestampAge"] = "00:10:00";
        foreach (var (key, value) in args.WorkerSettings())
        {
            settings[key] = value;
        }
        var (worker, workerAddress) = await WorkerHosts.StartWebAsync(settings, WorkerFeatures.Webhooks, mapExtra: app => app.MapPost("/bare", ReadAndAnswerAsync));
        var bare = await StartBareAsync();
        try
        {
            var workerUrl = new Uri(workerAddress, "/webhooks/hubspot").ToString();
            var bareUrl = new Uri(WorkerHosts.BaseAddressOf(bare), "/bare").ToString();
            var directory = Directory.CreateTempSubdirectory("hubsync-webhook-load-");
            var warmup = Path.Combine(directory.FullName, "warmup.tsv");
            var clock = Stopwatch.StartNew();
            WriteDeliveries(warmup, workerUrl, count: 30_000, firstId: 1_000_000_000);
            var files = new List<string>();
            for (var round = 0; round < rounds; round++)
            {
                files.Add(Path.Combine(directory.FullName, $"deliveries-{round}.tsv"));
                WriteDeliveries(files[round], workerUrl, batches, firstId: 1 + ((long)round * batches * EventsPerDelivery));
            }

            Console.WriteLine($"webhook-load: {rounds} x {batches} distinct signed deliveries of {EventsPerDelivery} events written in {clock.Elapsed.TotalSeconds:F1} s; Webhooks:MaxTimestampAge 10 min; queue consumer off");

            // A warm-up of each on deliveries the measured run does not reuse: connection pools, and the JIT's tiering (on two busy
            // cores the worker's code is still being recompiled at tier 1 for several seconds; a 3-second warm-up measured that too).
            await WrkAsync(script, workerUrl, warmup, threads, connections, warmupSeconds);
            await WrkAsync(script, bareUrl, warmup, threads, connections, warmupSeconds);

            var results = new List<(string Name, WrkResult Result)>();
            var ratios = new List<double>();
            var cpu = new List<string>();
            var endpoints = new List<(string Name, string Url)> { ("worker POST /webhooks/hubspot", workerUrl), ("bare Kestrel POST /bare", bareUrl) };
            if (hostBaseline)
            {
                endpoints.Add(("worker host POST /bare", new Uri(workerAddress, "/bare").ToString()));
            }

            foreach (var (round, (endpoint, url)) in Enumerable.Range(0, rounds).SelectMany(r => endpoints.Select(e => (r, e))))
            {
                var main = files[round];
                var name = rounds == 1 ? endpoint : $"{endpoint} (round {round + 1})";
                var isWorker = url == workerUrl;
                var commandsBefore = isWorker ? await CommandStatsAsync(redis) : [];
                using var self = Process.GetCurrentProcess();
                var (ownBefore, redisBefore) = (self.TotalProcessorTime, redis.ProcessorTime);
                var (gen0Before, gen2Before, pauseBefore, allocatedBefore) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));
                var output = await WrkAsync(script, url, main, threads, connections, duration);
                self.Refresh();
                Console.WriteLine($"--- wrk against {name} ---{Environment.NewLine}{output}");
                var result = WrkResult.Parse(output);
                results.Add((name, result));

                // Where the CPU went: this process (the server being loaded; the other one is idle) and redis-server.
                var own = self.TotalProcessorTime - ownBefore;
                var (gen0, gen2, pause) = (GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before, GC.GetTotalPauseDuration() - pauseBefore);
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                var red = redis.ProcessorTime - redisBefore;
                cpu.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: server process {own.TotalSeconds:F1} CPU-s ({own.TotalMilliseconds * 1000 / result.Requests:F0} µs/request), redis-server {red.TotalSeconds:F1} CPU-s ({red.TotalMilliseconds * 1000 / result.Requests:F0} µs/request) over {duration} s on 2 cores; GC: {gen0} collections ({gen2} gen2), {pause.TotalMilliseconds:F0} ms paused, {(allocated >= 0 ? $"{allocated / result.Requests:F0} B" : "n/a (the runtime's counter went back)")} allocated/request"));
                if (url == bareUrl)
                {
                    ratios.Add(results[^2].Result.RequestsPerSecond / result.RequestsPerSecond);
                }

                if (isWorker)
                {
                    var commandsAfter = await CommandStatsAsync(redis);
                    // Calls per request, and Redis's own time inside each command (a script's time includes its commands').
                    cpu.Add("  Redis commands per worker request (calls, µs inside the command): " + string.Join(", ", commandsAfter
                        .Select(c => (c.Key, Calls: c.Value.Calls - commandsBefore.GetValueOrDefault(c.Key).Calls, Micros: c.Value.Micros - commandsBefore.GetValueOrDefault(c.Key).Micros))
                        .Where(c => c.Calls >= result.Requests / 100)
                        .OrderByDescending(c => c.Micros)
                        .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {(double)c.Calls / result.Requests:F1} ({(double)c.Micros / result.Requests:F1} µs)"))));
                }
            }

            var queue = await worker.Services.GetRequiredService<HubSyncWorker.Storage.IWorkQueue>().GetStatsAsync(CancellationToken.None);
            Console.WriteLine("| endpoint | requests/s | events/s | p50 (ms) | p99 (ms) | non-2xx | requests | deliveries re-sent (duplicates) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (name, result) in results)
            {
                var resent = Math.Max(0, result.Requests - result.Distinct);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {result.RequestsPerSecond:F0} | {result.RequestsPerSecond * EventsPerDelivery:F0} | {result.P50Ms:F2} | {result.P99Ms:F2} | {result.Non2xx} | {result.Requests} | {resent} |"));
            }

            cpu.ForEach(Console.WriteLine);
            Console.WriteLine(await MemoryAsync(redis, queue.Pending));
            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"worker / bare rate: {string.Join(", ", ratios.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)))}{(rounds > 1 ? $" (median {(ratios[(ratios.Count - 1) / 2] + ratios[ratios.Count / 2]) / 2:P0})" : "")}; work queue now holds {queue.Pending} entries"));
            directory.Delete(recursive: true);
        }
        finally
        {
            await bare.StopAsync();
            await bare.DisposeAsync();
            await worker.StopAsync();
            await worker.DisposeAsync();
        }

        return 0;
    }

    /// <summary>Redis's own count of calls and microseconds per command (INFO commandstats), e.g. "xadd" → (520000, 610000).</summary>
    private static async Task<Dictionary<string, (long Calls, long Micros)>> CommandStatsAsync(RedisServer redis)
    {
        // A connection of its own: INFO needs admin mode, which the worker's connection (rightly) does not have.
        await using var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var stats = new Dictionary<string, (long Calls, long Micros)>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_exists: calls=520000,usec=610000,usec_per_call=1.17,...
                var parts = value.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
                stats[key.Replace("cmdstat_", "", StringComparison.Ordinal)] =
                    (long.Parse(parts["calls"], CultureInfo.InvariantCulture), long.Parse(parts["usec"], CultureInfo.InvariantCulture));
            }
        }

        return stats;
    }

    /// <summary>Redis memory after the run, per remembered event (its dedupe field plus its share of stream entries and markers).</summary>
    private static async Task<string> MemoryAsync(RedisServer redis, long queued)
    {
        await using var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var used = (await server.InfoAsync("memory")).SelectMany(g => g).First(p => p.Key == "used_memory").Value;
        long remembered = 0;
        await foreach (var key in server.KeysAsync(pattern: "webhook-load:dedupe:hour:*"))
        {
            remembered += await multiplexer.GetDatabase().HashLengthAsync(key);
        }

        var bytes = long.Parse(used, CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"redis used_memory {bytes / 1048576.0:F0} MB for {remembered} remembered events and {queued} queue entries ({(double)bytes / Math.Max(1, remembered):F0} B per event, stream entries included)");
    }

    /// <summary>A bare Kestrel endpoint: reads the whole body and answers 200, nothing else.</summary>
    private static async Task<WebApplication> StartBareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/bare", ReadAndAnswerAsync);
        await app.StartAsync();
        return app;
    }

    /// <summary>The bare endpoint's handler: reads the whole body, answers 200.</summary>
    private static async Task<IResult> ReadAndAnswerAsync(HttpRequest request)
    {
        var buffer = new byte[16 * 1024];
        while (await request.Body.ReadAsync(buffer) > 0)
        {
        }

        return Results.Ok();
    }

    /// <summary>One delivery a line: the timestamp, the v3 signature for <paramref name="url"/>, and a batch of distinct events for distinct contacts.</summary>
    private static void WriteDeliveries(string path, string url, int count, long firstId)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        var body = new StringBuilder(4096);
        for (var i = 0; i < count; i++)
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            body.Clear().Append('[');
            for (var j = 0; j < EventsPerDelivery; j++)
            {
                var id = firstId + ((long)i * EventsPerDelivery) + j;
                body.Append(j == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $$"""{"eventId":{{id}},"subscriptionId":11,"portalId":62515,"appId":999,"occurredAt":{{timestamp}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":{{id}},"changeSource":"CRM_UI","sourceId":"userId:42","propertyName":"hs_email_click","propertyValue":"{{(j % 5) + 1}}"}""");
            }

            var json = body.Append(']').ToString();
            var signature = SignedWebhook.V3Signature(Secret, "POST", url, json, timestamp);
            writer.Write(timestamp);
            writer.Write('\t');
            writer.Write(signature);
            writer.Write('\t');
            writer.Write(json);
            writer.Write('\n');
        }
    }

    private static async Task<string> WrkAsync(string script, string url, string deliveries, int threads, int connections, int seconds)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url,
                     "--", deliveries, threads.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        Console.Error.WriteLine($"$ wrk {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk (apt-get install -y wrk).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    internal static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HubSyncWorker.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long Distinct)
    {
        public static WrkResult Parse(string output) => new(
            double.Parse(Match(output, @"Requests/sec:\s+([\d.]+)"), CultureInfo.InvariantCulture),
            Milliseconds(Match(output, @"\s50%\s+([\d.]+\w+)")),
            Milliseconds(Match(output, @"\s99%\s+([\d.]+\w+)")),
            long.Parse(Match(output, @"(\d+) requests in"), CultureInfo.InvariantCulture),
            long.Parse(Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? m.Groups[1].Value : "0", CultureInfo.InvariantCulture),
            long.Parse(Match(output, @"DISTINCT-DELIVERIES (\d+)"), CultureInfo.InvariantCulture));

        private static string Match(string output, string pattern) =>
            Regex.Match(output, pattern) is { Success: true } m ? m.Groups[1].Value : throw new FormatException($"wrk output has no match for {pattern}:{Environment.NewLine}{output}");

        private static double Milliseconds(string value)
        {
            var number = double.Parse(value.TrimEnd('u', 's', 'm'), CultureInfo.InvariantCulture);
            return value.EndsWith("us", StringComparison.Ordinal) ? number / 1000
                : value.EndsWith("ms", StringComparison.Ordinal) ? number
                : number * 1000;
        }
    }
}
