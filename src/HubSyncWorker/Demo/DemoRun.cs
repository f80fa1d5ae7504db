using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using HubSyncWorker.Qualification;
using HubSyncWorker.Reporting;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Demo;

/// <summary>What the <c>demo</c> verb was asked for.</summary>
/// <param name="Contacts">Contacts in the generated portal (<c>--contacts</c>, default 2,000).</param>
/// <param name="Seed">Seed of the generator (<c>--seed</c>, default 42).</param>
/// <param name="HtmlPath">Where the HTML funnel report goes (<c>--html</c>, default <c>artifacts/demo-report.html</c>).</param>
/// <param name="JsonPath">Where the funnel JSON goes, for the <c>report</c> verb (<c>--out</c>; default none).</param>
internal sealed record DemoSettings(int Contacts, int Seed, string HtmlPath, string? JsonPath)
{
    public const int DefaultContacts = 2000;
    public const int DefaultSeed = 42;
    public const string DefaultHtmlPath = "artifacts/demo-report.html";
    public const int MinContacts = 100;
    public const int MaxContacts = 100_000;
}

/// <summary>
/// One run of the <c>demo</c> verb: a generated portal in the in-process HubSpot sandbox, the real worker on embedded defaults (in-memory store)
/// on a loopback port, a full resync with a progress bar, a minute of live activity through signed webhooks, then the funnel, example
/// contacts with their reasons and the API usage. It checks itself: the run fails when a promise is not kept.
/// </summary>
internal sealed class DemoRun(DemoSettings settings, string[] configurationArguments, TextWriter stdout, TimeProvider time)
{
    /// <summary>The demo portal's raised budget and the worker's matching client budget (a Free portal allows 100 per 10 s).</summary>
    internal const int DemoRequestsPerTenSeconds = 1000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LandingTimeout = TimeSpan.FromSeconds(30);

    // Long enough for the queue consumer to have read (1 s wait) and batched (0.2 s window) anything an echo could have caused.
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1.5);

    private readonly List<string> _failures = [];

    /// <summary>Runs the demo; true when every check passed (the failed ones are printed).</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await Line("HubSyncWorker demo: a simulated HubSpot portal and the real worker (no HubSpot account, no Redis).");
        await Line();

        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var workerPort = FreeLoopbackPort();
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions
        {
            EnforceRateLimits = true,
            RequestsPerTenSeconds = DemoRequestsPerTenSeconds,
            WebhookTargetUrl = string.Create(Inv, $"http://127.0.0.1:{workerPort}/webhooks/hubspot"),
            WebhookClientSecret = secret,

            // As a project app made from hubspot/ receives them (crmObjects subscriptions: object.propertyChange, ...).
            WebhookFormat = SandboxWebhookFormat.Generic,
            TimeProvider = time,
        }, cancellationToken);

        // 1. The portal.
        var seedStarted = time.GetTimestamp();
        DemoPortal.AddCustomProperties(sandbox.Properties, time.GetUtcNow());
        var portal = new DemoPortal(settings.Seed, time.GetUtcNow());
        var contacts = portal.Generate(settings.Contacts);
        var ids = DemoPortal.Seed(sandbox, contacts);
        var seeded = ids.Zip(contacts, (id, contact) => (id, contact)).ToList();
        await Line(string.Create(Inv, $"Portal  {sandbox.BaseUrl}: {contacts.Count:N0} contacts seeded in {time.GetElapsedTime(seedStarted).TotalSeconds:F1} s (seed {settings.Seed})"));
        await Line("        " + string.Join(", ", contacts.GroupBy(c => c.Persona).OrderByDescending(g => g.Count()).Select(g => string.Create(Inv, $"{g.Count()} {PersonaLabel(g.Key)}"))));
        var planted = Insights.InsightsDemo.Plant(sandbox, Math.Max(settings.Contacts, Insights.InsightsDemo.MinPlanted), settings.Seed, time.GetUtcNow());
        await Line(string.Create(Inv, $"        + {planted.Contacts.Count:N0} contacts with a past (stage dates, histories) and a truth for insights to find: demo-video viewers became SQL 3× as often, newsletter made no difference, students never did"));
        await Line(string.Create(Inv, $"        Rate limits enforced, with a raised demo budget of {DemoRequestsPerTenSeconds:N0} requests per 10 s (a Free portal has 100) so the demo takes seconds."));

        // 2. The worker.
        await using var worker = await StartWorkerAsync(sandbox, secret, workerPort, cancellationToken);
        using var signals = new WorkerSignals(worker.Services.GetRequiredService<IMeterFactory>());
        await Line(string.Create(Inv, $"Worker  http://127.0.0.1:{workerPort}: embedded defaults (in-memory store, one replica), webhooks at /webhooks/hubspot, client budget {DemoRequestsPerTenSeconds:N0} per 10 s"));
        await Line();

        // What the history says before the worker decides anything (shown at the end).
        var insights = await Insights.InsightsDemo.RunAsync(worker.Services, sandbox, cancellationToken);

        // 3. Full resync.
        var fullResync = worker.Services.GetRequiredService<FullResync>();
        var first = await RunResyncAsync(fullResync, cancellationToken);
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        await SettleAsync(sandbox, queue, cancellationToken);

        // A second resync right away must find HubSpot holding every decision: it lists and evaluates, and writes nothing.
        var resync = await fullResync.RunAsync(dryRun: false, waitForLock: true, cancellationToken);
        await Line(string.Create(Inv, $"  again right after: {resync.Processed:N0} contacts evaluated in {resync.Duration.TotalSeconds:F1} s, {resync.Writes.Written:N0} written ({resync.Report.Unchanged:N0} already right: no write sent)"));
        await Line($"  HubSpot calls: {resync.Calls.Describe()}; {resync.Calls.DescribeTime()}");
        if (resync.Outcome != ResyncOutcome.Completed)
        {
            throw new DemoFailedException($"the second resync ended {resync.Outcome}: {resync.Error}");
        }

        await SettleAsync(sandbox, queue, cancellationToken);
        signals.RecordTransitionsFromNowOn();
        var beforeLive = Counters.Of(sandbox);

        // 4. Live activity.
        await Line();
        await Line("Live activity: a minute of a working day, compressed into a few seconds (webhooks flow to the worker)");
        var policy = worker.Services.GetRequiredService<QualificationPolicy>();
        var live = worker.Services.GetRequiredService<LiveSyncReport>().Report;
        var activity = new LiveActivity(sandbox, policy, portal, seeded, time);
        var liveStarted = time.GetTimestamp();
        var events = await activity.PlayAsync(TimeSpan.FromMilliseconds(250), e => Line(string.Create(Inv, $"  00:{e.Offset.TotalSeconds:00}  {e.Kind,-13} {e.Story}")), cancellationToken);
        await WaitForLandingAsync(sandbox, queue, policy, events, cancellationToken);
        await Line(string.Create(Inv, $"  every webhook delivered and every write-back landed {time.GetElapsedTime(liveStarted).TotalSeconds:F1} s after the first event"));
        var afterLive = Counters.Of(sandbox);
        var loopWrites = await QuietWritesAsync(sandbox, queue, cancellationToken);

        // 5. The funnel, from the decisions: the resync's report, moved on by the live decisions.
        var samples = events.Select(e => Sample(sandbox, policy, e)).ToList();
        var funnel = FunnelReport.FromSyncReport(resync.Report, "Demo portal funnel", time.GetUtcNow(), dryRun: false) with { Samples = [] };
        funnel = funnel.WithTransitions(signals.Transitions(), samples);
        await Line();
        await Write(FunnelTable.Render(funnel));

        await Line();
        await Line("Contacts from the live minute, with the reason the worker wrote to hubsync_reason");
        foreach (var sample in samples)
        {
            await Line(string.Create(Inv, $"  #{sample.ContactId,-5} {sample.From,-9}→ {sample.To,-13}{sample.Reason}"));
        }

        // 6. What the portal's history says, then the API usage (the analysis's calls included) and the checks.
        await Line();
        _failures.AddRange(await Insights.InsightsDemo.WriteAsync(insights, stdout));
        await Line();
        var usage = Usage(sandbox, signals, first, resync, live, beforeLive, afterLive, loopWrites);
        await Line("API usage (counted by the portal)");
        foreach (var (label, value) in usage)
        {
            await Line(string.Create(Inv, $"  {label + ":",-30} {value}"));
        }

        Check(funnel, first, resync, live, signals, sandbox, beforeLive, afterLive, loopWrites, events.Count);
        await WriteArtifactsAsync(funnel, usage, insights, cancellationToken);
        await Line();
        if (_failures.Count > 0)
        {
            await Line("Checks FAILED:");
            foreach (var failure in _failures)
            {
                await Line("  - " + failure);
            }

            return false;
        }

        await Line(string.Create(Inv, $"Checks passed: every stage reached, conversion rates per source, 0 unhandled 429s, 0 write loops. Done in {time.GetElapsedTime(started).TotalSeconds:F1} s."));
        return true;
    }

    private async Task<WebApplication> StartWorkerAsync(HubSpotSandbox sandbox, string secret, int port, CancellationToken cancellationToken)
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.Web, new WorkerHostSettings
        {
            Args = configurationArguments,
            Settings = new Dictionary<string, string?>
            {
                ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
                ["HubSpot:AllowCustomBaseUrl"] = "true",
                ["HubSpot:AccessToken"] = sandbox.AccessToken,
                ["HubSpot:RequestsPerTenSeconds"] = DemoRequestsPerTenSeconds.ToString(Inv),
                ["Webhooks:ClientSecret"] = secret,
                ["Webhooks:OwnAppIds:0"] = sandbox.Options.AppId.ToString(Inv),
                ["Redis:ConnectionString"] = "",
                ["Sync:IncrementalEnabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",

                // The in-memory store's start-up warning (one replica only) is what the demo wants: the console says so once, not as a log line.
                ["Logging:LogLevel:HubSyncWorker.Storage.StorageServiceCollectionExtensions"] = "Error",
            },
        });
        var app = builder.ListenOn(string.Create(Inv, $"http://127.0.0.1:{port}")).BuildWeb();
        if (app.Services.GetRequiredService<IOptions<SyncOptions>>().Value.DryRun)
        {
            await app.DisposeAsync();
            throw new DemoFailedException("the demo shows the worker's write-backs; run it without Sync:DryRun (use `resync --dry-run` on a real portal).");
        }

        await app.StartAsync(cancellationToken);
        return app;
    }

    private async Task<ResyncResult> RunResyncAsync(FullResync resync, CancellationToken cancellationToken)
    {
        await Line("Full resync: every contact listed, evaluated by the policy, and written back only where something changed");
        var bar = new ProgressBar(stdout, interactive: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);
        var running = resync.RunAsync(dryRun: false, waitForLock: true, cancellationToken);
        while (!running.IsCompleted)
        {
            var progress = resync.Progress;
            await bar.ShowAsync(progress.Processed, progress.Total, progress.Changed);
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken));
        }

        var result = await running;
        await bar.FinishAsync(result.Processed, result.Report.Changed);
        if (result.Outcome != ResyncOutcome.Completed)
        {
            throw new DemoFailedException($"the full resync ended {result.Outcome}: {result.Error}");
        }

        await Line(string.Create(Inv, $"  {result.Processed:N0} contacts in {result.Duration.TotalSeconds:F1} s: {result.Writes.Written:N0} written, {result.Report.Unchanged:N0} already right"));
        await Line($"  HubSpot calls: {result.Calls.Describe()}; {result.Calls.DescribeTime()}");
        await Line("  status changes: " + result.Report.TransitionSummary());
        return result;
    }

    /// <summary>Waits until the portal has sent every webhook and the worker's queue is empty (the resync's echoes, for one).</summary>
    private async Task SettleAsync(HubSpotSandbox sandbox, IWorkQueue queue, CancellationToken cancellationToken)
    {
        await sandbox.WaitForWebhooksDrainedAsync(cancellationToken);
        while (await queue.GetStatsAsync(cancellationToken) is { Pending: > 0 } or { Unacknowledged: > 0 })
        {
            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    /// <summary>Waits until every live event's contact shows the status the policy gives it, and nothing is left to do.</summary>
    private async Task WaitForLandingAsync(HubSpotSandbox sandbox, IWorkQueue queue, QualificationPolicy policy, IReadOnlyList<LiveEvent> events, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp();
        while (true)
        {
            await SettleAsync(sandbox, queue, cancellationToken);
            var pending = events.Where(e => sandbox.Contacts.GetContact(e.ContactId)?.Properties.GetValueOrDefault(policy.OutputNames.Status) != e.Expected).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            if (time.GetElapsedTime(deadline) > LandingTimeout)
            {
                throw new DemoFailedException("these write-backs never landed: " + string.Join("; ", pending.Select(e =>
                    $"{e.Kind} on contact {e.ContactId} (expected {e.Expected}, HubSpot shows {sandbox.Contacts.GetContact(e.ContactId)?.Properties.GetValueOrDefault(policy.OutputNames.Status) ?? "nothing"})")));
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    /// <summary>Batch-update inputs the worker sends once everything is settled: the echoes of its own writes must cause none.</summary>
    private async Task<long> QuietWritesAsync(HubSpotSandbox sandbox, IWorkQueue queue, CancellationToken cancellationToken)
    {
        await SettleAsync(sandbox, queue, cancellationToken);
        var before = sandbox.Stats.BatchUpdateInputs;
        await Task.Delay(QuietPeriod, time, cancellationToken);
        await SettleAsync(sandbox, queue, cancellationToken);
        return sandbox.Stats.BatchUpdateInputs - before;
    }

    private static FunnelSample Sample(HubSpotSandbox sandbox, QualificationPolicy policy, LiveEvent e)
    {
        var contact = sandbox.Contacts.GetContact(e.ContactId);
        var values = contact?.Properties ?? new Dictionary<string, string>();
        return new FunnelSample(e.ContactId, e.Before, values.GetValueOrDefault(policy.OutputNames.Status) ?? "?",
            values.GetValueOrDefault(policy.OutputNames.SourceBucket) ?? "?", values.GetValueOrDefault(policy.OutputNames.Reason) ?? "");
    }

    private static List<(string Label, string Value)> Usage(HubSpotSandbox sandbox, WorkerSignals signals, ResyncResult first, ResyncResult second, SyncReport live,
        Counters beforeLive, Counters afterLive, long loopWrites)
    {
        var stats = sandbox.Stats;
        var byEndpoint = stats.RequestsByEndpointAndStatus.GroupBy(r => r.Key.Endpoint)
            .Select(g => (Endpoint: g.Key, Count: g.Sum(r => r.Value))).OrderByDescending(e => e.Count).ThenBy(e => e.Endpoint, StringComparer.Ordinal);
        var liveWrites = afterLive.BatchUpdateInputs - beforeLive.BatchUpdateInputs;
        var echoes = signals.WebhookEvents("ignored_echo");
        return
        [
            ("calls", string.Create(Inv, $"{stats.TotalRequests:N0}: ") + string.Join(", ", byEndpoint.Select(e => string.Create(Inv, $"{e.Endpoint} {e.Count:N0}")))),
            ("batch reads", string.Create(Inv, $"{stats.CurrentBatchReads():N0} current, {stats.HistoryBatchReads():N0} with history")),
            ("429 answers", stats.TotalRateLimited == 0
                ? string.Create(Inv, $"0 (the worker's client budget kept it under the portal's limit; {FailedCalls(stats):N0} calls failed)")
                : string.Create(Inv, $"{stats.TotalRateLimited:N0} (each retried after the window; {FailedCalls(stats):N0} calls failed)")),
            ("contacts written", string.Create(Inv, $"{first.Writes.Written:N0} by the first resync, {second.Writes.Written:N0} by the second, {liveWrites:N0} live")),
            ("writes skipped (no change)", string.Create(Inv, $"{first.Report.Unchanged + second.Report.Unchanged + live.Unchanged:N0} evaluations found HubSpot already right; {stats.WritesUnchanged:N0} no-op writes sent")),
            ("webhook events", string.Create(Inv, $"{stats.WebhookEventsDelivered:N0} delivered, {signals.WebhookEvents("queued"):N0} queued as work, {signals.WebhookEvents("duplicate"):N0} duplicates")),
            ("echoes of its own writes", string.Create(Inv, $"{echoes:N0} received and ignored")),
            ("write loops", string.Create(Inv, $"{loopWrites:N0} writes after the activity settled")),
        ];
    }

    private static long FailedCalls(SandboxStats stats) =>
        stats.RequestsByEndpointAndStatus.Where(r => r.Key.Status >= 400 && r.Key.Status != 429).Sum(r => r.Value);

    private void Check(FunnelReport funnel, ResyncResult first, ResyncResult resync, SyncReport live, WorkerSignals signals, HubSpotSandbox sandbox,
        Counters beforeLive, Counters afterLive, long loopWrites, int events)
    {
        foreach (var status in FunnelReport.Statuses.Where(s => funnel.CountOf(s) <= 0))
        {
            _failures.Add($"the funnel never reached '{status}'");
        }

        if (funnel.Counts.FirstOrDefault(c => c.Count < 0) is { } negative)
        {
            _failures.Add($"the live decisions do not add up with the resync's: {negative.Count} contacts at {negative.Status} in {negative.SourceBucket}");
        }

        if (funnel.Total != sandbox.Contacts.Count)
        {
            _failures.Add(string.Create(Inv, $"the funnel counts {funnel.Total} contacts but the portal holds {sandbox.Contacts.Count}"));
        }

        var liveTransitions = live.Transitions().Sum(t => t.Count);
        var signalled = signals.Transitions().Sum(t => t.Count);
        if (liveTransitions != signalled)
        {
            _failures.Add($"the live report counts {liveTransitions} status changes but the worker's metrics {signalled}");
        }

        if (!funnel.By(FunnelDimension.Source).Any(s => s.Conversion("lead", "mql").Rate is not null))
        {
            _failures.Add("no source has a lead→MQL conversion rate");
        }

        if (FailedCalls(sandbox.Stats) is > 0 and var failed)
        {
            _failures.Add($"{failed} API calls failed (a 429 or an error went unhandled)");
        }

        if (first.Writes.DeadLettered > 0 || first.Writes.NotFound > 0)
        {
            _failures.Add($"the resync dead-lettered {first.Writes.DeadLettered} writes and lost {first.Writes.NotFound} contacts");
        }

        if (resync.Writes.Written > 0)
        {
            _failures.Add($"a resync right after a resync wrote {resync.Writes.Written} contacts (it must write nothing)");
        }

        var liveWrites = afterLive.BatchUpdateInputs - beforeLive.BatchUpdateInputs;
        if (liveWrites != live.Changed || liveWrites > events)
        {
            _failures.Add($"write loop: {liveWrites} contacts written during the activity for {live.Changed} decisions with changes and {events} events");
        }

        if (loopWrites > 0)
        {
            _failures.Add($"write loop: {loopWrites} writes after the activity settled (echo webhooks caused writes)");
        }

        if (afterLive.WritesUnchanged > 0)
        {
            _failures.Add($"{afterLive.WritesUnchanged} writes changed nothing in HubSpot (wasted calls)");
        }
    }

    private async Task WriteArtifactsAsync(FunnelReport funnel, IReadOnlyList<(string Label, string Value)> usage, Insights.InsightsOutcome insights, CancellationToken cancellationToken)
    {
        await OutputFile.WriteAllTextAsync(settings.HtmlPath, FunnelHtml.Render(funnel, usage, Insights.InsightsHtml.Section(insights.Report)), cancellationToken);
        await Line();
        await Line($"HTML report: {Path.GetFullPath(settings.HtmlPath)}");
        if (settings.JsonPath is not null)
        {
            await funnel.SaveAsync(settings.JsonPath, cancellationToken);
            await Line($"Funnel JSON: {settings.JsonPath} (print it again with: report --input {settings.JsonPath})");
        }
    }

    private static int FreeLoopbackPort()
    {
        // The portal must know the worker's webhook URL before the worker can know the portal's API URL: reserve a port first.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static string PersonaLabel(DemoPersona persona) => persona switch
    {
        DemoPersona.IcpNurture => "ICP prospects",
        DemoPersona.IcpHandRaiser => "ICP hand-raisers",
        DemoPersona.IcpProject => "ICP projects",
        DemoPersona.Customer => "customers",
        DemoPersona.ColdMql => "cold MQLs",
        DemoPersona.Student => "students/interns",
        DemoPersona.OutsideIcp => "outside the ICP",
        DemoPersona.Competitor => "competitors",
        DemoPersona.BadAddress => "bad addresses",
        DemoPersona.OptedOut => "unsubscribed/bounced",
        DemoPersona.Crowd => "others (realistic bulk: a third with 3-6 conversions)",
        _ => "typed in by hand",
    };

    private Task Line(string text = "") => stdout.WriteLineAsync(text);

    private Task Write(string text) => stdout.WriteAsync(text);

    /// <summary>The portal's write counters at one moment.</summary>
    private sealed record Counters(long BatchUpdateInputs, long WritesUnchanged)
    {
        public static Counters Of(HubSpotSandbox sandbox) => new(sandbox.Stats.BatchUpdateInputs, sandbox.Stats.WritesUnchanged);
    }
}
