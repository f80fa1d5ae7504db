using HubSyncWorker.Insights;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>
/// End to end: a sandbox portal with planted effects (demo-video viewers become SQL three times as often, a newsletter sign-up makes
/// no difference, students never do), read by the insights run through the worker's client on HubSpot's real limits, recovers each.
/// </summary>
[Collection("redis")]
public sealed class InsightsPlantedTruthTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Run_PlantedTruthPortal_FindsEachPlantedEffect()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { SearchIndexLag = TimeSpan.Zero }, default);
        var truth = new PortalGenerator(11).SeedWithHistory(sandbox.Contacts, 4000, DateTimeOffset.UtcNow.AddMinutes(-1));
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), new Dictionary<string, string?> { ["HubSpot:RequestsPerTenSeconds"] = "100" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        sandbox.Stats.Reset();

        var outcome = await host.Services.GetRequiredService<InsightsRunner>().TryRunAsync(
            new InsightsJob(new InsightsAsk(), new InsightsRequest(TargetMqlToSqlRate: 0.3)), null, null, default);

        output.WriteLine(InsightsText.Render(outcome!));
        var report = outcome!.Report;
        var video = report.Rules.Single(r => r.Name == "demo-video");
        var lift = video.Steps.Single(s => s.Step == FunnelStep.MqlToSql).Lift!;
        Assert.InRange(PlantedVideoLift(truth), lift.Low, lift.High);
        Assert.True(lift.Low > 1, $"interval {lift.Low}–{lift.High}");

        Assert.True(report.Rules.Single(r => r.Name == "newsletter").DoesNotPredict);

        var students = report.Rules.Single(r => r.Name == "student-title").Steps.Single(s => s.Step == FunnelStep.MqlToSql);
        Assert.True(students.With.Eligible > 0);
        Assert.Equal(0, students.With.Converted);

        // The threshold suggestion moves the MQL→SQL rate toward the 30 % target.
        var today = report.Funnel[FunnelStep.MqlToSql].Rate!.Value;
        var suggested = report.Thresholds.Single(t => t.Goal == "mql_to_sql_rate").MqlToSql.Rate!.Value;
        Assert.True(Math.Abs(suggested - 0.3) < Math.Abs(today - 0.3), $"today {today:P1}, suggested {suggested:P1}");

        Assert.Equal((0L, 0L), (outcome.Collection.Calls.RateLimited, sandbox.Stats.TotalRateLimited));
        Assert.Equal(outcome.Collection.Estimate.Total, outcome.Collection.Calls.Total);
    }

    /// <summary>The MQL→SQL lift the generator planted for demo-video viewers, over the portal's own mix of the other signals.</summary>
    private static double PlantedVideoLift(PortalTruth truth)
    {
        double Mean(bool video) => truth.Mqls.Where(c => c.DemoVideo == video).Average(c => truth.Options.MqlToSqlChance(c.DemoVideo, c.BetterSource, c.Student));
        return Mean(true) / Mean(false);
    }
}
