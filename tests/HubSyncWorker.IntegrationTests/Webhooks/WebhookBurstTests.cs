using System.Globalization;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Webhooks;

/// <summary>
/// A burst of people's changes delivered as signed webhooks by a sandbox with HubSpot's real limits (Free budget, history reads of
/// at most 50 records), to a worker on its defaults: the regression of HubSpot refusing every 100-record history read.
/// </summary>
[Collection("redis")]
public sealed class WebhookBurstTests(RedisServerFixture redis, ITestOutputHelper output)
{
    // More sessions than any seeded contact has (at most 14), so every update is a change and fires a webhook.
    private const string MoreVisitsThanSeeded = "30";

    private const string Secret = "burst-client-secret";

    [Theory]
    [InlineData(SandboxWebhookFormat.Legacy)]
    // What a project app made from hubspot/ receives: crmObjects subscriptions deliver object.* events.
    [InlineData(SandboxWebhookFormat.Generic)]
    public async Task Burst_600ContactsChangedAThirdWithLongConversionHistories_AllWrittenBackWithNoDeadLetterAndNoWorkFromEchoes(SandboxWebhookFormat format)
    {
        const int contacts = 600;
        var port = Loopback.FreePort();
        await using var sandbox = await HubSpotSandbox.StartAsync(
            new SandboxOptions
            {
                WebhookTargetUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/webhooks/hubspot"),
                WebhookClientSecret = Secret,
                WebhookFormat = format,
            },
            default);
        var now = DateTimeOffset.UtcNow;
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, contacts, now);
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret, new Dictionary<string, string?>
            {
                ["Webhooks:OwnAppIds:0"] = sandbox.Options.AppId.ToString(CultureInfo.InvariantCulture),
                ["Sync:QueueBatchWindow"] = "00:00:00.200", // the default: batches fill as a burst arrives
            }),
            WorkerFeatures.All,
            port: port);

        // People change a property the policy reads on every contact, within a few seconds (an import, a list action).
        foreach (var id in ids)
        {
            Assert.True(sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["hs_analytics_num_visits"] = MoreVisitsThanSeeded }));
        }

        var unwritten = await Eventually.ReturnsAsync(
            () => Task.FromResult(ids.Count(id => string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")))),
            n => n == 0,
            TimeSpan.FromSeconds(120),
            "every changed contact is written back");

        var readsWhenWritten = sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead);
        output.WriteLine($"{format}: HubSpot calls by endpoint and status: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal(0, unwritten);

        // Every write comes back as webhook events (the worker's own app as source): once they are all delivered and the queue is
        // idle, not one of them has caused a read.
        await sandbox.WaitForWebhooksDrainedAsync(default);
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        await Eventually.ReturnsAsync(() => queue.GetStatsAsync(default), q => q.Pending == 0 && q.Unacknowledged == 0, TimeSpan.FromSeconds(30), "the queue is idle");
        Assert.True(sandbox.Stats.WebhookEventsDelivered > contacts * 2, $"{sandbox.Stats.WebhookEventsDelivered} events delivered");
        Assert.Equal(readsWhenWritten, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal(0, await worker.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default));
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchRead, 400));

        // What was written is what a full resync (reading every history) decides: a dry run finds nothing to change.
        var check = await worker.Services.GetRequiredService<FullResync>().RunAsync(dryRun: true, waitForLock: false, default);
        Assert.Equal(ResyncOutcome.Completed, check.Outcome);
        Assert.Equal(0, check.Report.Changed);
    }
}
