using System.Globalization;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Startup;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Cli;

/// <summary>Runs the verb the command line names; returns the process exit code.</summary>
internal static class WorkerCommands
{
    public const int Success = ExitCodes.Success;
    public const int Failure = ExitCodes.Failure;
    public const int UsageError = ExitCodes.UsageError;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ParsedCommandLine command;
        try
        {
            command = CommandLine.Parse(args);
            command = command with { ConfigurationArguments = ContentRoot.ApplicationFolderUnlessSet(command.ConfigurationArguments, Environment.GetEnvironmentVariable) };
        }
        catch (CommandLineException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return UsageError;
        }

        try
        {
            return command.Verb switch
            {
                "help" => await HelpAsync(stdout),
                "run" => await RunWorkerAsync(command.ConfigurationArguments),
                "setup" => await SetupAsync(command.ConfigurationArguments, stdout),
                "resync" => await ResyncAsync(command, stdout),
                "policy" => await PolicyAsync(command, stdout, stderr),
                "evaluate" => await EvaluateAsync(command, stdout, stderr),
                "hubspot-project" => await HubSpotProjectCommand.RunAsync(command, stdout, stderr),
                "demo" => await DemoCommand.RunAsync(command, stdout, stderr),
                "report" => await ReportCommand.RunAsync(command, stdout, stderr),
                "insights" => await InsightsCommand.RunAsync(command, stdout, stderr),
                "deadletters" => await DeadLetterCommands.RunAsync(command, stdout, stderr),
                _ => await UnknownAsync(command.Verb, stderr),
            };
        }
        catch (Exception ex) when (StartupFailure.Describe(ex) is { } message)
        {
            await stderr.WriteLineAsync(message);
            return Failure;
        }
    }

    private static async Task<int> HelpAsync(TextWriter stdout)
    {
        await stdout.WriteLineAsync(CommandLine.Usage);
        return Success;
    }

    private static async Task<int> PolicyAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        if (command.VerbArguments.Count == 0 || command.VerbArguments[0] != "check" || command.VerbArguments.Count > 2)
        {
            await stderr.WriteLineAsync("Usage: policy check [policy.json] [--hubspot-project <dir>]");
            return UsageError;
        }

        var file = command.VerbArguments.Count == 2 ? command.VerbArguments[1] : null;
        var configuration = file is null ? WorkerHost.Configuration(command.ConfigurationArguments) : null;

        // From a clone the current directory is the repository (hubspot/ is committed there); in the container it is /app, without one.
        var project = command.Flags.GetValueOrDefault("--hubspot-project") is { Length: > 0 } named
            ? new ProjectLocation(named, Explicit: true)
            : new ProjectLocation(Path.Combine(Directory.GetCurrentDirectory(), HubSpotProjectCommand.DefaultFolder), Explicit: false);
        return await PolicyCommands.CheckAsync(file, configuration, stdout, stderr, CancellationToken.None, project);
    }

    private static async Task<int> EvaluateAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        if (!command.Flags.TryGetValue("--input", out var input) || string.IsNullOrWhiteSpace(input))
        {
            await stderr.WriteLineAsync("Usage: evaluate --input <contacts.json> [--policy <policy.json>] [--now <ISO 8601 time>]");
            return UsageError;
        }

        var now = DateTimeOffset.UtcNow;
        if (command.Flags.TryGetValue("--now", out var nowText)
            && !DateTimeOffset.TryParse(nowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out now))
        {
            await stderr.WriteLineAsync($"--now must be an ISO 8601 time; got '{nowText}'.");
            return UsageError;
        }

        var policyFile = command.Flags.GetValueOrDefault("--policy");
        var configuration = policyFile is null ? WorkerHost.Configuration(command.ConfigurationArguments) : null;
        return await PolicyCommands.EvaluateAsync(input, policyFile, configuration, now, stdout, stderr, CancellationToken.None);
    }

    private static async Task<int> UnknownAsync(string verb, TextWriter stderr)
    {
        await stderr.WriteLineAsync($"Unknown verb '{verb}'.{Environment.NewLine}{CommandLine.Usage}");
        return UsageError;
    }

    private static async Task<int> RunWorkerAsync(string[] configurationArguments)
    {
        var app = WorkerHost.CreateBuilder(WorkerHostMode.Web, new WorkerHostSettings { Args = configurationArguments }).BuildWeb();
        await app.RunAsync();
        return Environment.ExitCode;
    }

    private static IHost BuildOneShotHost(string[] configurationArguments) =>
        WorkerHost.CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings { Args = configurationArguments, Features = WorkerFeatures.None }).Build();

    private static async Task<int> SetupAsync(string[] configurationArguments, TextWriter stdout)
    {
        using var host = BuildOneShotHost(configurationArguments);
        await host.StartAsync();
        var summary = await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(CancellationToken.None);
        await stdout.WriteLineAsync($"Property group ready: {summary.Created.Count} created, {summary.Updated.Count} updated, {summary.Unchanged.Count} already right.");
        await host.StopAsync();
        return Success;
    }

    private static async Task<int> ResyncAsync(ParsedCommandLine command, TextWriter stdout)
    {
        var dryRun = command.Flags.ContainsKey("--dry-run");
        var configuration = dryRun ? [.. command.ConfigurationArguments, "--Sync:DryRun=true"] : command.ConfigurationArguments;
        using var host = BuildOneShotHost(configuration);
        await host.StartAsync();

        // The verb's calls are the property bootstrap's and the resync's: the summary counts both, against the verb's wall time.
        var time = host.Services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        using var calls = HubSpotCallTally.Begin();
        if (!dryRun && host.Services.GetRequiredService<IOptions<SyncOptions>>().Value.BootstrapProperties)
        {
            // A resync writes the output properties: they must exist first (idempotent, two GETs when they do).
            await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(CancellationToken.None);
        }

        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var result = await host.Services.GetRequiredService<FullResync>().RunAsync(dryRun, waitForLock: true, lifetime.ApplicationStopping);
        var budget = HubSpotBudget.Of(host.Services.GetRequiredService<IOptions<HubSpot.HubSpotOptions>>().Value);
        result = result with { Calls = calls.Report(budget, time.GetElapsedTime(started)) };
        await WriteResyncSummaryAsync(result, stdout);
        if (command.Flags.GetValueOrDefault("--out") is { Length: > 0 } reportPath)
        {
            // The funnel of this run's decisions, for `report --input` (text and HTML) without a second pass over HubSpot.
            await Reporting.FunnelReport.FromResync(result, TimeProvider.System.GetUtcNow()).SaveAsync(reportPath, CancellationToken.None);
            await stdout.WriteLineAsync($"  funnel report saved to {reportPath} (render it with: report --input {reportPath} --html report.html)");
        }
        await host.StopAsync();
        return result.Outcome == ResyncOutcome.Completed ? Success : Failure;
    }

    internal static async Task WriteResyncSummaryAsync(ResyncResult result, TextWriter stdout)
    {
        var inv = CultureInfo.InvariantCulture;
        await stdout.WriteLineAsync(string.Create(inv, $"Full resync {(result.DryRun ? "(dry run) " : "")}{result.Outcome}: {result.Processed} contacts in {result.Duration.TotalSeconds:F1} s"));
        await stdout.WriteLineAsync(string.Create(inv, $"  {(result.DryRun ? "would change" : "changed")}: {result.Report.Changed}, unchanged: {result.Report.Unchanged}"));
        await stdout.WriteLineAsync($"  transitions: {result.Report.TransitionSummary()}");
        if (!result.DryRun)
        {
            await stdout.WriteLineAsync(string.Create(inv, $"  written: {result.Writes.Written}, dead-lettered: {result.Writes.DeadLettered}, gone: {result.Writes.NotFound}"));
        }

        await stdout.WriteLineAsync($"  HubSpot calls: {result.Calls.Describe()}");
        await stdout.WriteLineAsync($"  time: {result.Calls.DescribeTime()}");

        foreach (var sample in result.Report.Samples().Take(20))
        {
            await stdout.WriteLineAsync($"  e.g. contact {sample.ContactId} {sample.From}→{sample.To} [{sample.SourceBucket}]: {sample.Reason}");
        }

        if (result.Error is not null)
        {
            await stdout.WriteLineAsync($"  error: {result.Error}");
        }
    }
}
