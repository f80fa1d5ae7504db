using HubSyncWorker.Cli;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_NoArguments_RunsTheWorker()
    {
        var parsed = CommandLine.Parse([]);

        Assert.Equal("run", parsed.Verb);
        Assert.Empty(parsed.ConfigurationArguments);
    }

    [Fact]
    public void Parse_ResyncDryRunWithConfigurationOverrides_SeparatesVerbFlagsAndConfiguration()
    {
        var parsed = CommandLine.Parse(["resync", "--dry-run", "--HubSpot:AccessToken=abc", "--Redis:ConnectionString", "localhost:6379"]);

        Assert.Equal("resync", parsed.Verb);
        Assert.True(parsed.Flags.ContainsKey("--dry-run"));
        Assert.Equal(["--HubSpot:AccessToken=abc", "--Redis:ConnectionString", "localhost:6379"], parsed.ConfigurationArguments);
    }

    [Fact]
    public void Parse_VerbWithPositionalAndValuedFlags_KeepsThemForTheVerb()
    {
        var parsed = CommandLine.Parse(["evaluate", "--input", "contacts.json", "--policy=policy.json"]);

        Assert.Equal("evaluate", parsed.Verb);
        Assert.Equal("contacts.json", parsed.Flags["--input"]);
        Assert.Equal("policy.json", parsed.Flags["--policy"]);
    }

    [Fact]
    public void Parse_FlagWithoutItsValue_IsAUsageError()
    {
        Assert.Throws<CommandLineException>(() => CommandLine.Parse(["evaluate", "--input"]));
    }

    [Fact]
    public async Task RunAsync_UnknownVerb_ExitsWithUsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["frobnicate"], stdout, stderr);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("Unknown verb 'frobnicate'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ResyncWithoutToken_FailsNamingEveryMissingKey()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["resync", "--Sync:QueueBatchSize=500"], stdout, stderr);

        Assert.Equal(WorkerCommands.Failure, exit);
        var errors = stderr.ToString();
        Assert.Contains("HubSpot:AccessToken", errors, StringComparison.Ordinal);
        Assert.Contains("Sync:QueueBatchSize", errors, StringComparison.Ordinal);
        Assert.Contains("500", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Webhooks:ClientSecret", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dryrun")]
    [InlineData("--dryRun")]
    [InlineData("--dry_run")]
    [InlineData("--outfile=x.json")]
    [InlineData("--Sync__DryRun=true")]
    public void Parse_MisspeltFlag_IsAnErrorNotASilentlyIgnoredSetting(string flag)
    {
        var exception = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["resync", flag]));

        Assert.Contains(flag.Split('=')[0], exception.Message, StringComparison.Ordinal);
        Assert.Contains("--dry-run", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deadletters", "--dry-run", "--max")]
    [InlineData("setup", "--dry-run", "takes none")]
    [InlineData("report", "--max=5", "--input, --html")]
    [InlineData("resync", "--input=x.json", "--dry-run, --out")]
    public void Parse_FlagOfAnotherVerb_IsAnErrorNamingThisVerbsOptions(string verb, string flag, string expected)
    {
        var exception = Assert.Throws<CommandLineException>(() => CommandLine.Parse([verb, "retry", flag]));

        Assert.Contains($"{flag.Split('=')[0]} is not an option of '{verb}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AbsolutePathArgument_IsAVerbArgumentAndASlashSettingStillASetting()
    {
        var parsed = CommandLine.Parse(["policy", "check", "/tmp/policy.json", "/Sync:DryRun=true"]);

        Assert.Equal(["check", "/tmp/policy.json"], parsed.VerbArguments);
        Assert.Equal(["/Sync:DryRun=true"], parsed.ConfigurationArguments);
    }
}

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

        var messages = UnknownSettings.Find(configuration);

        Assert.Equal(2, messages.Count);
        Assert.Equal("Sync:QueueBatchSze is not a setting of the Sync section; did you mean Sync:QueueBatchSize?", messages[0]);
        Assert.StartsWith("Admin:Frobnicate is not a setting of the Admin section; its settings: Token", messages[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MisspeltSetting_StopsWithTheKeyAndExitCode1()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["resync", "--HubSpot:AccessToken=pat-x", "--Sync:DryRn=true"], stdout, stderr);

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.Contains("Sync:DryRn is not a setting of the Sync section; did you mean Sync:DryRun?", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnconvertible_ValuesTheirTypesCannotHold_EachNamedWithWhatIsExpected()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:IncrementalInterval"] = "5m",
            ["sync:dryrun"] = "yes",
            ["Sync:QueueBatchSize"] = "99999999999",
            ["Sync:ResyncMaxPendingAge"] = "00:00:05",
            ["Sync:BootstrapProperties"] = "False",
            ["Redis:DeadLetterMaxEntries"] = "100",
            ["Redis:ConnectionString"] = "not:a:number",
            ["Webhooks:MaxBodyBytes"] = "",
        }).Build();

        var messages = UnknownSettings.FindUnconvertible(configuration);

        Assert.Equal(
        [
            "Sync:DryRun = 'yes' is not true or false.",
            "Sync:IncrementalInterval = '5m' is not a time span: hh:mm:ss, e.g. 00:05:00 for five minutes, or d.hh:mm:ss, e.g. 1.00:00:00 for a day.",
            "Sync:QueueBatchSize = '99999999999' is not a whole number (up to 2147483647).",
        ], messages.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SeveralBadValues_AllReportedInOneRunWithTheMisspeltKeysAndRangeErrors()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(
            ["resync", "--HubSpot:AccessToken=pat-x", "--Sync:IncrementalInterval=5m", "--Sync:QueueBatchSize=lots", "--Sync:DryRn=true", "--Sync:ResyncMaxPendingAge=01:00:00"],
            stdout,
            stderr);

        Assert.Equal(WorkerCommands.Failure, exit);
        var output = stderr.ToString();
        Assert.Contains("  - Sync:IncrementalInterval = '5m' is not a time span", output, StringComparison.Ordinal);
        Assert.Contains("  - Sync:QueueBatchSize = 'lots' is not a whole number", output, StringComparison.Ordinal);
        Assert.Contains("  - Sync:DryRn is not a setting of the Sync section; did you mean Sync:DryRun?", output, StringComparison.Ordinal);

        // The range checks run in the same pass, and report no stand-in for the values that could not be read.
        Assert.Contains("  - Sync:ResyncMaxPendingAge must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Sync:IncrementalInterval must be", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Sync:QueueBatchSize must be", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-x", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DeadLettersWithABadValueAndAMisspeltKey_BothReportedBeforeAnyRedisCall()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["deadletters", "list", "--Redis:DeadLetterMaxEntries=many", "--Redis:ConectionString=127.0.0.1:1"], stdout, stderr);

        Assert.Equal(WorkerCommands.Failure, exit);
        var output = stderr.ToString();
        Assert.Contains("  - Redis:DeadLetterMaxEntries = 'many' is not a whole number", output, StringComparison.Ordinal);
        Assert.Contains("  - Redis:ConectionString is not a setting of the Redis section; did you mean Redis:ConnectionString?", output, StringComparison.Ordinal);
    }
}
