using HubSyncWorker.IntegrationTests.Infrastructure;
using System.Globalization;
using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sync;

namespace HubSyncWorker.LoadTests.Scenarios;

/// <summary>
/// <c>webhook-latency</c>: the sandbox sends real signed webhooks to the worker (real Kestrel, real Redis, queue consumer on) while
/// a "salesperson" changes one contact every 50–100 ms; each change raises the contact's email clicks, which changes its
/// engagement score. The latency of a change is from the moment it is made in the sandbox to the moment the worker's write of
/// <c>hubsync_engagement_score</c> lands in the sandbox (the timestamp of that property version in the sandbox's history).
/// It includes the sandbox's webhook batching (<see cref="SandboxOptions.WebhookFlushInterval"/>, 100 ms, like HubSpot's own batching).
/// </summary>
internal static class WebhookLatency
{
    private const string Secret = "bench-latency-secret";
    private const string Watched = "hubsync_engagement_score";

    public static async Task<int> RunAsync(ScenarioArguments args)
    {
        var duration = args.Seconds("duration", 60);
        var budget = args.Int("budget", 190);
        var minGap = args.Int("min-gap-ms", 50);
        var maxGap = args.Int("max-gap-ms", 100);
        var contacts = (int)(duration.TotalMilliseconds / minGap) + 10;

        await using var redis = await RedisServer.StartAsync();
        var port = Loopback.FreePort();
        var appId = 1160452L;
        await using var sandbox = await HubSpotSandbox.StartAsync(
            new SandboxOptions
            {
                EnforceRateLimits = true,
                RequestsPerTenSeconds = budget,
                WebhookTargetUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/webhooks/hubspot",
                WebhookClientSecret = Secret,
                AppId = appId,
            },
            CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>(contacts);
        for (var i = 0; i < contacts; i++)
        {
            ids.Add(sandbox.Contacts.AddContact(Contact(i, now)));
        }

        var settings = WorkerHosts.Settings(sandbox.BaseUrl, sandbox.AccessToken, redis.ConnectionString, "latency:", budget);
        settings["Webhooks:ClientSecret"] = Secret;
        settings["Webhooks:OwnAppIds:0"] = appId.ToString(CultureInfo.InvariantCulture);
        settings["Sync:ConsumerName"] = "latency";
        var (worker, _) = await WorkerHosts.StartWebAsync(settings, WorkerFeatures.All, port);
        try
        {
            // Converge first, so each change below is the only reason for a write; the echoes of these writes are the worker's own.
            var converge = await worker.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: true, CancellationToken.None);
            await sandbox.WaitForWebhooksDrainedAsync(CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(11));
            Console.WriteLine($"webhook-latency: {contacts} contacts converged ({converge.Writes.Written} written); budget {budget}/10 s; one change every {minGap}-{maxGap} ms for {duration.TotalSeconds:F0} s; queue consumer on");
            sandbox.Stats.Reset();

            var changes = new List<(string Id, DateTimeOffset At)>();
            var random = new Random(42);
            var end = DateTimeOffset.UtcNow + duration;
            var next = 0;
            while (DateTimeOffset.UtcNow < end && next < ids.Count)
            {
                var id = ids[next++];
                var at = DateTimeOffset.UtcNow;
                sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["hs_email_click"] = "2" }, sourceId: "userId:7");
                changes.Add((id, at));
                await Task.Delay(random.Next(minGap, maxGap + 1));
            }

            // Wait (bounded) for the last writes to land.
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTimeOffset.UtcNow < deadline && changes.Any(c => Landed(sandbox, c.Id, c.At) is null))
            {
                await Task.Delay(100);
            }

            var latencies = changes.Select(c => Landed(sandbox, c.Id, c.At) is { } landed ? (landed - c.At).TotalMilliseconds : double.NaN).ToList();
            var measured = latencies.Where(l => !double.IsNaN(l)).Order().ToList();
            Console.WriteLine("| changes | writes landed | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | webhook deliveries | webhook events | batch reads | batch updates | 429s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {changes.Count} | {measured.Count} | {Percentile(measured, 0.50):F0} | {Percentile(measured, 0.95):F0} | {Percentile(measured, 0.99):F0} | {(measured.Count > 0 ? measured[^1] : double.NaN):F0} | {sandbox.Stats.WebhookDeliveries} | {sandbox.Stats.WebhookEventsDelivered} | {sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead)} | {sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate)} | {sandbox.Stats.TotalRateLimited} |"));
            return measured.Count == changes.Count ? 0 : 1;
        }
        finally
        {
            await worker.StopAsync();
            await worker.DisposeAsync();
        }
    }

    /// <summary>When the worker's write of the watched property first landed at or after <paramref name="changedAt"/>, if it has.</summary>
    private static DateTimeOffset? Landed(HubSpotSandbox sandbox, string id, DateTimeOffset changedAt) =>
        sandbox.Contacts.GetHistory(id, Watched).Where(v => v.Timestamp >= changedAt).Select(v => (DateTimeOffset?)v.Timestamp).Min();

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>A fitting, recently active lead with one email click: one more click changes the engagement score.</summary>
    private static Dictionary<string, string?> Contact(int i, DateTimeOffset now) => new()
    {
        ["email"] = $"person{i.ToString(CultureInfo.InvariantCulture)}@acme.io",
        ["firstname"] = $"First{i.ToString(CultureInfo.InvariantCulture)}",
        ["lastname"] = "Latency",
        ["company"] = "Acme",
        ["jobtitle"] = "VP Marketing",
        ["industry"] = "COMPUTER_SOFTWARE",
        ["numemployees"] = "200",
        ["country"] = "France",
        ["hs_analytics_num_visits"] = "1",
        ["hs_analytics_last_visit_timestamp"] = now.ToString("O", CultureInfo.InvariantCulture),
        ["hs_email_click"] = "1",
        ["num_conversion_events"] = "0",
        ["lifecyclestage"] = "lead",
    };
}
