using HubSyncWorker.Cli;
using HubSyncWorker.Insights;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>The <c>insights</c> verb as a user runs it: estimate first, the summary, the HTML page, the JSON and the suggested policy.</summary>
[Collection("redis")]
public sealed class InsightsCommandTests(RedisServerFixture redis) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubsync-insights-").FullName;

    [Fact]
    public async Task RunAsync_PlantedPortal_WritesSummaryPageJsonAndAReviewableSuggestion()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { SearchIndexLag = TimeSpan.Zero }, default);
        new PortalGenerator(3).SeedWithHistory(sandbox.Contacts, 600, DateTimeOffset.UtcNow.AddMinutes(-1));
        var (html, json, suggest) = (Path.Combine(_folder, "i.html"), Path.Combine(_folder, "i.json"), Path.Combine(_folder, "suggested.json"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(
        [
            "insights", "--sample", "500", "--target-mql-sql-rate", "0.25", "--html", html, "--json", json, "--suggest", suggest,
            $"--HubSpot:BaseUrl={sandbox.BaseUrl}", "--HubSpot:AllowCustomBaseUrl=true", $"--HubSpot:AccessToken={sandbox.AccessToken}",
            $"--Redis:ConnectionString={redis.ConnectionString}", $"--Redis:KeyPrefix={RedisServerFixture.NewKeyPrefix()}",
        ], stdout, stderr);

        var output = stdout.ToString();
        Assert.True(exit == WorkerCommands.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{stderr}");
        Assert.StartsWith("Insights: reading the portal's history. Estimated HubSpot calls: 2 searches, 5 list calls", output, StringComparison.Ordinal);
        Assert.Contains("Insights on 500 contacts", output, StringComparison.Ordinal);
        Assert.Contains($"policy check {suggest}", output, StringComparison.Ordinal);
        Assert.Contains($"resync --dry-run --Qualification:PolicyFile={suggest}", output, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-lift-chart\"", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        Assert.Equal(500, InsightsOutcome.FromJson(await File.ReadAllTextAsync(json)).Report.Contacts);

        // The suggestion is a policy `policy check` accepts.
        _ = Qualification.QualificationPolicy.Compile(await PolicyLoader.FromFileAsync(suggest, default));
    }

    [Fact]
    public async Task RunAsync_RateOutOfRange_UsageErrorNamingTheFlag()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["insights", "--target-mql-sql-rate", "30"], stdout, stderr);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("--target-mql-sql-rate must be a rate above 0 and at most 1", stderr.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
