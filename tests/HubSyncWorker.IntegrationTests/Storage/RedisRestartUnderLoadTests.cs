using System.Globalization;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Storage;

/// <summary>
/// Redis killed (as a crash) and restarted with its append-only file while HubSpot delivers webhooks: deliveries refused meanwhile
/// are retried by HubSpot (the sandbox retries 503s as HubSpot does), entries queued before the crash are still there, and every
/// changed contact ends written with nothing dead-lettered. Its own redis-server: the shared one runs without persistence.
/// </summary>
public sealed class RedisRestartUnderLoadTests(ITestOutputHelper output)
{
    // More sessions than any seeded contact has (at most 14), so every update is a change and fires a webhook.
    private const string MoreVisitsThanSeeded = "30";

    private const string Secret = "redis-restart-client-secret";

    [Fact]
    public async Task RedisKilledAndRestartedWithAppendOnlyFile_UnderWebhookLoad_EveryChangedContactWrittenNothingDeadLettered()
    {
        const int contacts = 300;
        var dataDir = Directory.CreateTempSubdirectory("hubsync-aof-");
        await using var redis = await RedisServerFixture.StartOwnAsync("--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir.FullName);
        try
        {
            var port = Loopback.FreePort();
            await using var sandbox = await HubSpotSandbox.StartAsync(
                new SandboxOptions
                {
                    RequestsPerTenSeconds = 1000,
                    WebhookTargetUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/webhooks/hubspot"),
                    WebhookClientSecret = Secret,
                    WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(500),
                },
                default);
            var ids = PortalSeed.Seed(sandbox, contacts, DateTimeOffset.UtcNow);
            await using var worker = await WorkerApplication.StartAsync(
                SandboxWorkerSettings.For(sandbox, redis.FastFailConnectionString, Secret, new Dictionary<string, string?>
                {
                    ["Webhooks:OwnAppIds:0"] = sandbox.Options.AppId.ToString(CultureInfo.InvariantCulture),
                    ["Redis:ClaimIdleTime"] = "00:00:02",
                }),
                WorkerFeatures.All,
                port: port);

            // Half the changes before the crash, half while Redis is down (their deliveries are refused with 503 and retried).
            foreach (var id in ids.Take(contacts / 2))
            {
                Assert.True(sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["hs_analytics_num_visits"] = MoreVisitsThanSeeded }));
            }

            await redis.StopAsync();
            foreach (var id in ids.Skip(contacts / 2))
            {
                Assert.True(sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["hs_analytics_num_visits"] = MoreVisitsThanSeeded }));
            }

            await Eventually.ReturnsAsync(() => Task.FromResult(sandbox.Stats.WebhookRetries), n => n > 0, TimeSpan.FromSeconds(30), "a delivery is refused while Redis is down");
            await redis.StartAsync();

            var unwritten = await Eventually.ReturnsAsync(
                () => Task.FromResult(ids.Count(id => string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")))),
                n => n == 0,
                TimeSpan.FromSeconds(120),
                "every changed contact is written");

            output.WriteLine($"{contacts} contacts changed, Redis killed half-way: {sandbox.Stats.WebhookRetries} deliveries retried by HubSpot, "
                + $"{sandbox.Stats.WebhookEventsFailed} events given up, {unwritten} unwritten; HubSpot calls: {SandboxCalls.Describe(sandbox.Stats)}");
            Assert.Equal(0, unwritten);
            Assert.Equal(0, sandbox.Stats.WebhookEventsFailed);
            Assert.Equal(0, await worker.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default));
        }
        finally
        {
            await redis.StopAsync();
            dataDir.Delete(recursive: true);
        }
    }
}
