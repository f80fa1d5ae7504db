using System.Globalization;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Webhooks;

/// <summary>
/// HubSpot never retries a delivery refused with 401, so when the worker's secret is wrong (a rotation it missed) every change
/// those deliveries carried is only learnt through the incremental sync. The whole path, on the sandbox and a real Redis.
/// </summary>
[Collection("redis")]
public sealed class RefusedDeliveriesCatchUpTests(RedisServerFixture redis)
{
    [Fact]
    public async Task IncrementalSync_EveryDeliveryRefusedForAWrongSecret_WritesBackEveryContactPeopleChanged()
    {
        var port = Loopback.FreePort();
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions
        {
            RequestsPerTenSeconds = 1000,
            WebhookTargetUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/webhooks/hubspot"),
            WebhookClientSecret = "the-secret-hubspot-signs-with-now",
            WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(200),

            // Search sees changes late, as HubSpot's does: the sync must still find every one (whatever the sandbox's default).
            SearchIndexLag = TimeSpan.FromSeconds(3),
        }, default);
        var ids = PortalSeed.Seed(sandbox, 30, DateTimeOffset.UtcNow);
        await using var worker = await WorkerApplication.StartAsync(
            new Dictionary<string, string?>
            {
                ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
                ["HubSpot:AllowCustomBaseUrl"] = "true",
                ["HubSpot:AccessToken"] = sandbox.AccessToken,
                ["HubSpot:RequestsPerTenSeconds"] = "1000",
                ["Webhooks:ClientSecret"] = "the-secret-before-the-rotation",
                ["Redis:ConnectionString"] = redis.ConnectionString,
                ["Redis:KeyPrefix"] = RedisServerFixture.NewKeyPrefix(),
                ["Sync:IncrementalEnabled"] = "false",
                ["Sync:QueueBatchWindow"] = "00:00:00",
            },
            WorkerFeatures.All,
            port: port);

        // People change a third of the contacts; HubSpot's deliveries of those changes are all refused.
        var changed = ids.Where((_, i) => i % 3 == 0).ToList();
        foreach (var id in changed)
        {
            Assert.True(sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "VP Marketing" }));
        }

        var refused = await Eventually.ReturnsAsync(
            () => ScrapeAsync(worker, "hubsync_webhook_refusals_total{cause=\"bad_signature\"}"),
            n => n >= 1,
            TimeSpan.FromSeconds(30),
            "the deliveries are refused and counted");
        Assert.True(refused >= 1);
        Assert.Null(await ScrapeAsync(worker, "hubsync_webhook_requests_total{outcome=\"accepted\"}"));
        Assert.All(changed, id => Assert.False(HasDecision(sandbox, id), $"contact {id} was written before the sync ran"));

        // The incremental sync runs (again, until the search index has caught up) and every changed contact is written back.
        var sync = worker.Services.GetRequiredService<IncrementalSync>();
        var written = await Eventually.ReturnsAsync(
            async () =>
            {
                await sync.RunAsync(default);
                return changed.Count(id => HasDecision(sandbox, id));
            },
            n => n == changed.Count,
            TimeSpan.FromSeconds(90),
            "every changed contact is written back");

        Assert.Equal(changed.Count, written);
        Assert.Null(await ScrapeAsync(worker, "hubsync_webhook_requests_total{outcome=\"accepted\"}"));
    }

    private static bool HasDecision(HubSpotSandbox sandbox, string id) =>
        !string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"));

    private static async Task<double?> ScrapeAsync(WorkerApplication worker, string sample)
    {
        foreach (var line in (await worker.Client.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
