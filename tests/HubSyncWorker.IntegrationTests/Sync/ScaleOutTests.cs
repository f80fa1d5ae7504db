using HubSyncWorker.HubSpot;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>Two worker processes on one Redis against one portal.</summary>
[Collection("redis")]
public sealed class ScaleOutTests(RedisServerFixture redis)
{
    [Fact]
    public async Task TwoWorkers_RunTheResyncOnceAndTogetherStayInsideThePortalsBudget()
    {
        const int budget = 40;
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = budget }, default);
        var ids = PortalSeed.Seed(sandbox, 1000, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var settings = new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var first = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        using var second = SyncHost.Build(sandbox, redis.ConnectionString, prefix, settings);
        await first.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        // Both replicas are asked to resync at once, while the second also does other HubSpot work (as its queue consumer would).
        var resyncs = new[]
        {
            first.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default),
            second.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default),
        };
        var client = second.Services.GetRequiredService<IHubSpotCrmClient>();
        for (var i = 0; i < 25; i++)
        {
            await client.BatchReadContactsAsync(ids.Skip(i * 40).Take(40).ToList(), ["email"], [], default);
        }

        var results = await Task.WhenAll(resyncs);

        Assert.Single(results, r => r.Outcome == ResyncOutcome.Completed);
        Assert.Single(results, r => r.Outcome == ResyncOutcome.AlreadyRunning);
        Assert.Equal(10, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.True(sandbox.Stats.TotalRequests > budget, $"the run must need more than one window's budget (made {sandbox.Stats.TotalRequests})");
        Assert.Equal(0, sandbox.Stats.TotalRateLimited);
    }
}
