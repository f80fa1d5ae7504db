using HubSyncWorker.Admin;
using HubSyncWorker.Cli;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Startup;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Startup;

/// <summary>Keys no option reads and values their setting cannot hold: each named, all in one run, for <c>run</c> and the verbs alike.</summary>
public sealed class UnknownSettingsTests
{
    [Fact]
    public void Find_MisspeltAndUnknownKeys_NameEachWithTheSettingProbablyMeant()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:QueueBatchSze"] = "50",
            ["Sync:QueueBatchSize"] = "50",
            ["redis:connectionstring"] = "localhost",
            ["Webhooks:OwnAppIds:0"] = "1",
            ["Admin:Frobnicate"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Qualification:PolicyFile"] = "p.json",
        }).Build();

        var messages = UnknownSettings.Find(configuration,
        [
            new SettingsSection("Sync", typeof(SyncOptions)),
            new SettingsSection("Redis", typeof(RedisOptions)),
            new SettingsSection("Webhooks", typeof(WebhookOptions)),
            new SettingsSection("Admin", typeof(AdminOptions)),
        ]);

        Assert.Equal(2, messages.Count);
        Assert.Equal("Sync:QueueBatchSze is not a setting of the Sync section; did you mean Sync:QueueBatchSize?", messages[0]);
        Assert.StartsWith("Admin:Frobnicate is not a setting of the Admin section; its settings: Token", messages[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MisspeltSetting_StopsWithTheKeyAndExitCode1()
    {
        var (exit, output) = await Verb.RunAsync("resync", "--HubSpot:AccessToken=pat-x", "--Sync:DryRn=true");

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.Contains("Sync:DryRn is not a setting of the Sync section; did you mean Sync:DryRun?", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MisspeltHubSpotSetting_NamedThroughTheClientsOwnRegistrationWithoutItsValue()
    {
        var (exit, output) = await Verb.RunAsync("resync", "--HubSpot:AccesToken=pat-na1-secret");

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.Contains("  - HubSpot:AccesToken is not a setting of the HubSpot section; did you mean HubSpot:AccessToken?", output, StringComparison.Ordinal);
        Assert.Contains("  - HubSpot:AccessToken is missing", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-na1-secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SectionValidator_ValuesTheirTypesCannotHold_EachNamedWithWhatIsExpected()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:IncrementalInterval"] = "5m",
            ["sync:dryrun"] = "yes",
            ["Sync:QueueBatchSize"] = "99999999999",
            ["Sync:ResyncMaxPendingAge"] = "00:00:05",
            ["Sync:BootstrapProperties"] = "False",
            ["Webhooks:MaxBodyBytes"] = "",
        }).Build();
        var section = configuration.GetSection("Sync");

        var result = new SectionValidator<SyncOptions>("Sync", section).Validate(null, ValidatedSections.Read<SyncOptions>(section));

        Assert.Equal(
        [
            "Sync:DryRun must be true or false; was 'yes'.",
            "Sync:IncrementalInterval must be a time span: hh:mm:ss, e.g. 00:05:00 for five minutes, or d.hh:mm:ss, e.g. 1.00:00:00 for a day; was '5m'.",
            "Sync:QueueBatchSize must be a whole number (up to 2147483647); was '99999999999'.",
        ], result.Failures!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Read_SectionWithAnUnconvertibleValue_BindsTheOthersAndLeavesTheDefault()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:IncrementalInterval"] = "5m",
            ["Sync:QueueBatchSize"] = "50",
            ["Sync:FullResyncCron"] = "0 0 3 ? * SUN",
        }).Build();

        var options = ValidatedSections.Read<SyncOptions>(configuration.GetSection("Sync"));

        Assert.Equal((TimeSpan.FromMinutes(5), 50, "0 0 3 ? * SUN"), (options.IncrementalInterval, options.QueueBatchSize, options.FullResyncCron));
    }

    [Fact]
    public async Task RunAsync_SeveralBadValues_AllReportedInOneRunWithTheMisspeltKeysAndRangeErrors()
    {
        var (exit, output) = await Verb.RunAsync("resync", "--HubSpot:AccessToken=pat-x", "--Sync:IncrementalInterval=5m", "--Sync:QueueBatchSize=lots", "--Sync:DryRn=true", "--Sync:ResyncMaxPendingAge=01:00:00");

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.Contains("  - Sync:IncrementalInterval must be a time span", output, StringComparison.Ordinal);
        Assert.Contains("  - Sync:QueueBatchSize must be a whole number", output, StringComparison.Ordinal);
        Assert.Contains("  - Sync:DryRn is not a setting of the Sync section; did you mean Sync:DryRun?", output, StringComparison.Ordinal);

        // The range checks run in the same pass, and report no stand-in for the values that could not be read.
        Assert.Contains("  - Sync:ResyncMaxPendingAge must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Sync:IncrementalInterval must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Sync:QueueBatchSize must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-x", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DeadLettersWithABadValueAndAMisspeltKey_BothReportedBeforeAnyRedisCall()
    {
        var (exit, output) = await Verb.RunAsync("deadletters", "list", "--Redis:DeadLetterMaxEntries=many", "--Redis:ConectionString=127.0.0.1:1");

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.Contains("  - Redis:DeadLetterMaxEntries must be a whole number", output, StringComparison.Ordinal);
        Assert.Contains("  - Redis:ConectionString is not a setting of the Redis section; did you mean Redis:ConnectionString?", output, StringComparison.Ordinal);
    }
}
