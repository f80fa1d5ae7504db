using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The worker on each HubSpot API version it supports, against the sandbox answering that version as HubSpot does (2026-09: batch
/// answers 200 only, with the errors inside; the portal's validation rules enforced on writes).
/// </summary>
[Collection("redis")]
public sealed class ApiVersionTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Theory]
    [InlineData("v3", SandboxApiVersion.V3)]
    [InlineData("2026-03", SandboxApiVersion.March2026)]
    [InlineData("2026-09", SandboxApiVersion.September2026)]
    public async Task FullResync_OnEachApiVersion_ConvergesAndASecondRunWritesNothing(string apiVersion, SandboxApiVersion served)
    {
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var sandbox = await HubSpotSandbox.StartAsync(
            new SandboxOptions { RequestLog = entry => versions.AddOrUpdate(entry.ApiVersion?.ToString() ?? "none", 1, (_, n) => n + 1) },
            default);
        var ids = PortalSeed.SeedWithConversionHistories(sandbox, 300, DateTimeOffset.UtcNow);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["HubSpot:ApiVersion"] = apiVersion,
            ["HubSpot:RequestsPerTenSeconds"] = "100",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var resync = host.Services.GetRequiredService<FullResync>();

        var first = await resync.RunAsync(dryRun: false, waitForLock: false, default);
        var second = await resync.RunAsync(dryRun: false, waitForLock: false, default);

        output.WriteLine($"{apiVersion}: {SandboxCalls.Describe(sandbox.Stats)}");
        Assert.Equal((ResyncOutcome.Completed, 300), (first.Outcome, first.Writes.Written));
        Assert.Equal((ResyncOutcome.Completed, 0), (second.Outcome, second.Report.Changed));
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status"))));
        Assert.Equal([served.ToString()], versions.Keys.ToList());
    }

    [Fact]
    public async Task FullResync_On2026_09WithARequiredPropertyRule_DeadLettersTheContactsMissingItNamingThePropertyAndWritesTheRest()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        var now = DateTimeOffset.UtcNow;
        var ids = PortalSeed.Seed(sandbox, 100, now);

        // The realistic portal leaves the company unset on about a fifth of its contacts.
        var withoutCompany = ids.Where(id => !sandbox.Contacts.GetContact(id)!.Properties.ContainsKey("company")).ToList();
        Assert.InRange(withoutCompany.Count, 5, 40);

        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?>
        {
            ["HubSpot:ApiVersion"] = "2026-09",
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        // An admin makes the company name required on every contact write (a portal validation rule, enforced from 2026-09).
        sandbox.Properties.RequireOnWrite("company");
        sandbox.Stats.Reset();
        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun: false, waitForLock: false, default);

        Assert.Equal(ResyncOutcome.Completed, result.Outcome);
        Assert.Equal((100 - withoutCompany.Count, withoutCompany.Count), (result.Writes.Written, result.Writes.DeadLettered));

        // The refused batch, then the others once: the contacts at fault are named by HubSpot, so nothing is bisected or retried.
        Assert.Equal(2, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
        var letters = await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(100, default);
        Assert.Equal(withoutCompany.Order(StringComparer.Ordinal), letters.Select(l => l.ContactId).Order(StringComparer.Ordinal));
        Assert.All(letters, l =>
        {
            Assert.Equal("MISSING_REQUIRED_PROPERTY", l.Category);
            Assert.Contains("company", l.Message, StringComparison.Ordinal);
        });
    }
}
