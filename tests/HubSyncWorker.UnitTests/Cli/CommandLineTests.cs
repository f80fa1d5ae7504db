using HubSyncWorker.Cli;

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
