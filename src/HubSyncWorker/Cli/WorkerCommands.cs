using System.Globalization;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Qualification;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Cli;

/// <summary>Runs the verb the command line names; returns the process exit code.</summary>
internal static class WorkerCommands
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

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
                "demo" => await Demo.DemoCommand.RunAsync(command, stdout, stderr),
                "report" => await Reporting.ReportCommand.RunAsync(command, stdout, stderr),
                "insights" => await Insights.InsightsCommand.RunAsync(command, stdout, stderr),
                "deadletters" => await DeadLetterCommands.RunAsync(command, stdout, stderr),
                _ => await UnknownAsync(command.Verb, stderr),
            };
        }
        catch (Exception ex) when (StartupFailure(ex) is { } message)
        {
            await stderr.WriteLineAsync(message);
            return Failure;
        }
    }

    /// <summary>The message for an error that stops start-up (bad configuration, invalid policy, HubSpot refusing the setup).</summary>
    internal static string? StartupFailure(Exception ex) => ex switch
    {
        OptionsValidationException options => "Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, options.Failures.Select(f => "  - " + f)),
        PolicyValidationException policy => "Invalid qualification policy:" + Environment.NewLine
            + (policy.Errors.Count == 0 ? "  - " + policy.Message : string.Join(Environment.NewLine, policy.Errors.Select(e => "  - " + e))),
        HubSpotPropertyMismatchException mismatch => "HubSpot properties conflict with the worker's output properties: " + mismatch.Message,
        Sync.PortalValuesMismatchException portal => "The policy does not fit the HubSpot portal's lifecycle stages or lead statuses:" + Environment.NewLine
            + string.Join(Environment.NewLine, portal.Problems.Select(p => "  - " + p)),
        HubSpotDailyLimitExceededException daily => "HubSpot's daily API limit is exhausted: " + daily.Message,
        HubSpotApiException api => "HubSpot refused a start-up call: " + api.Message,
        HubSpotUnavailableException unavailable => "HubSpot is unreachable: " + unavailable.Message,
        Storage.StorageUnavailableException storage => "Redis is unreachable (check Redis:ConnectionString): " + storage.Message,

        // The configuration binder's "Failed to convert configuration value at 'Sync:IncrementalInterval' to type 'System.TimeSpan'."
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            "Invalid configuration:" + Environment.NewLine + "  - " + conversion.Message,
        OutputFileException output => output.Message,
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            StartupFailure(new OptionsValidationException("startup", typeof(object), aggregate.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures))),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => StartupFailure(e) is not null) =>
            StartupFailure(new AggregateException(aggregate.InnerExceptions.Where(e => e is OptionsValidationException)))
                + Environment.NewLine + string.Join(Environment.NewLine, aggregate.InnerExceptions.Where(e => e is not OptionsValidationException).Select(StartupFailure)),
        _ => null,
    };

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
        var configuration = file is null ? Host.CreateApplicationBuilder(command.ConfigurationArguments).Configuration : null;

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
        var configuration = policyFile is null ? Host.CreateApplicationBuilder(command.ConfigurationArguments).Configuration : null;
        return await PolicyCommands.EvaluateAsync(input, policyFile, configuration, now, stdout, stderr, CancellationToken.None);
    }

    private static async Task<int> UnknownAsync(string verb, TextWriter stderr)
    {
        await stderr.WriteLineAsync($"Unknown verb '{verb}'.{Environment.NewLine}{CommandLine.Usage}");
        return UsageError;
    }

    private static async Task<int> RunWorkerAsync(string[] configurationArguments)
    {
        var builder = WebApplication.CreateBuilder(configurationArguments);
        builder.AddHubSyncWorker();
        var app = builder.Build();
        ValidateConfiguration(app.Services);
        app.MapHubSyncWorker();
        await app.RunAsync();
        return Environment.ExitCode;
    }

    private static IHost BuildOneShotHost(string[] configurationArguments)
    {
        var builder = Host.CreateApplicationBuilder(configurationArguments);

        // A one-shot verb ends by itself: no "Application started. Press Ctrl+C to shut down."
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.AddHubSyncWorker(WorkerFeatures.None);
        var host = builder.Build();
        ValidateConfiguration(host.Services);
        return host;
    }

    /// <summary>
    /// Validates every option and the policy before anything starts, so one run reports all bad keys at once (instead of the first
    /// component that happens to read its options failing with a stack trace).
    /// </summary>
    internal static void ValidateConfiguration(IServiceProvider services)
    {
        var errors = new List<Exception>();
        IReadOnlyList<string> unconvertible = services.GetService<UnknownSettings.UnconvertibleValues>()?.Messages ?? [];
        if (unconvertible.Concat(UnknownSettings.Find(services.GetRequiredService<IConfiguration>())).ToList() is { Count: > 0 } bad)
        {
            errors.Add(new OptionsValidationException("configuration", typeof(IConfiguration), bad));
        }

        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            errors.Add(ex);
        }
        catch (AggregateException ex)
        {
            errors.AddRange(ex.InnerExceptions);
        }

        try
        {
            _ = services.GetRequiredService<QualificationPolicy>();
        }
        catch (PolicyValidationException ex)
        {
            errors.Add(ex);
        }

        if (errors.Count == 1)
        {
            throw errors[0];
        }

        if (errors.Count > 1)
        {
            throw new AggregateException(errors);
        }
    }

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
