using System.Net;
using System.Net.Http.Headers;
using HubSyncWorker.Admin;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>
/// The names dashboards and alerts are written against: after a webhook delivered, one refused, a queue batch processed and a
/// full resync, <c>/metrics</c> serves every <c>hubsync_*</c> family below with its Prometheus type. Taken from the worker as
/// it was before its metrics moved from prometheus-net to OpenTelemetry; families added since may appear beside them.
/// </summary>
[Collection("redis")]
public sealed class MetricsContractTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const string Secret = "metrics-contract-client-secret";
    private const string AdminToken = "metrics-contract-admin-token-0123456789";

    /// <summary>Every family the activity below produces, and its type, as served before the move.</summary>
    private static readonly SortedDictionary<string, string> Contract = new(StringComparer.Ordinal)
    {
        ["hubsync_evaluations_total"] = "counter",
        ["hubsync_hubspot_rate_budget_wait_seconds"] = "histogram",
        ["hubsync_hubspot_requests_total"] = "counter",
        ["hubsync_hubspot_token_rejected"] = "gauge",
        ["hubsync_queue_depth"] = "gauge",
        ["hubsync_queue_latency_seconds"] = "histogram",
        ["hubsync_queue_oldest_age_seconds"] = "gauge",
        ["hubsync_stage_transitions_total"] = "counter",
        ["hubsync_webhook_events_total"] = "counter",
        ["hubsync_webhook_refusals_total"] = "counter",
        ["hubsync_webhook_requests_total"] = "counter",
        ["hubsync_writes_skipped_total"] = "counter",
        ["hubsync_writes_total"] = "counter",
    };

    [Fact]
    public async Task Metrics_AfterWebhookQueueBatchAndResync_ServesTheSameFamilyNamesAndTypes()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, 3, DateTimeOffset.UtcNow);
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret, new Dictionary<string, string?>
            {
                ["Admin:Token"] = AdminToken,
                ["Diagnostics:QueueStatsCacheDuration"] = "00:00:00",
            }),
            WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();

        var body = "[" + SignedWebhook.PropertyChange(long.Parse(ids[0], System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 801) + "]";
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, "not-the-secret", DateTimeOffset.UtcNow))).StatusCode);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Contacts.GetContact(ids[0])!.Properties.GetValueOrDefault("hubsync_status")),
            s => !string.IsNullOrEmpty(s), TimeSpan.FromSeconds(30), "the queued contact is written back");

        using var resync = new HttpRequestMessage(HttpMethod.Post, "/admin/resync");
        resync.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        Assert.Equal(HttpStatusCode.Accepted, (await worker.Client.SendAsync(resync)).StatusCode);
        var runner = worker.Services.GetRequiredService<AdminResyncRunner>();
        await Eventually.ReturnsAsync(() => Task.FromResult(runner.Status.LastRun?.Outcome), o => o is not null, TimeSpan.FromSeconds(60), "the resync ends");

        var response = await worker.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var served = Families(text);
        output.WriteLine(string.Join(Environment.NewLine, served.Select(f => $"[\"{f.Key}\"] = \"{f.Value}\",")));

        var missing = Contract.Where(f => !served.TryGetValue(f.Key, out var type) || type != f.Value).Select(f => $"{f.Key} ({f.Value})").ToList();
        Assert.True(missing.Count == 0, "Not served as before: " + string.Join(", ", missing));

        // A histogram's series keep Prometheus's suffixes, which queries such as histogram_quantile name.
        var lines = text.Split('\n');
        Assert.All(Contract.Where(f => f.Value == "histogram").Select(f => f.Key), name =>
        {
            Assert.Contains(lines, l => l.StartsWith(name + "_bucket{", StringComparison.Ordinal) && l.Contains("le=\"+Inf\"", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith(name + "_sum", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith(name + "_count", StringComparison.Ordinal));
        });
    }

    /// <summary>The <c>hubsync_*</c> families of a Prometheus text exposition, by their <c># TYPE</c> lines.</summary>
    private static SortedDictionary<string, string> Families(string text)
    {
        var families = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["#", "TYPE", var name, var type] && name.StartsWith("hubsync_", StringComparison.Ordinal))
            {
                families[name] = type;
            }
        }

        return families;
    }
}
