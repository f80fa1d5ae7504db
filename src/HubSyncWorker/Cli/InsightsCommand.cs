using System.Globalization;
using HubSyncWorker.Insights;
using HubSyncWorker.Qualification;
using HubSyncWorker.Reporting;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Cli;

/// <summary>What the <c>insights</c> verb was asked for.</summary>
/// <param name="Job">What to read, what to aim at (the candidate is loaded later, from <paramref name="CandidatePath"/>).</param>
/// <param name="CandidatePath">A candidate policy to compare with the current one (<c>--policy</c>), or null.</param>
/// <param name="HtmlPath">Where the HTML page goes (<c>--html</c>), or null.</param>
/// <param name="JsonPath">Where the JSON goes (<c>--json</c>), or null.</param>
/// <param name="SuggestPath">Where the suggested policy goes (<c>--suggest</c>), or null.</param>
internal sealed record InsightsSettings(InsightsJob Job, string? CandidatePath, string? HtmlPath, string? JsonPath, string? SuggestPath)
{
    /// <summary>Reads the verb's flags; a bad value throws <see cref="CommandLineException"/> naming the flag and the value.</summary>
    public static InsightsSettings From(ParsedCommandLine command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sample = Int(command, "--sample", 1);
        var maxCalls = Int(command, "--max-calls", InsightsJob.MinCalls);
        var volume = Int(command, "--target-mql-volume", 1);
        var rate = 0.3;
        if (command.Flags.GetValueOrDefault("--target-mql-sql-rate") is { } rateText
            && (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) || rate is <= 0 or > 1))
        {
            throw new CommandLineException($"--target-mql-sql-rate must be a rate above 0 and at most 1 (e.g. 0.3 for 30 %); got '{rateText}'.");
        }

        var candidate = Path(command, "--policy");
        return new InsightsSettings(
            new InsightsJob(new InsightsAsk(sample, maxCalls, HistoryForEveryQualified: candidate is not null), new InsightsRequest(rate, volume)),
            candidate, Path(command, "--html"), Path(command, "--json"), Path(command, "--suggest"));
    }

    private static string? Path(ParsedCommandLine command, string flag) =>
        command.Flags.GetValueOrDefault(flag) is { Length: > 0 } path ? path : null;

    private static int? Int(ParsedCommandLine command, string flag, int min)
    {
        if (command.Flags.GetValueOrDefault(flag) is not { } raw)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new CommandLineException(string.Create(CultureInfo.InvariantCulture, $"{flag} must be a whole number of at least {min}; got '{raw}'."));
    }
}

/// <summary>
/// The <c>insights</c> verb: the estimate of its HubSpot calls, progress while it reads the portal, then the terminal summary, and
/// on request the HTML page, the JSON and the suggested policy.
/// </summary>
internal static class InsightsCommand
{
    public static async Task<int> RunAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        InsightsSettings settings;
        try
        {
            settings = InsightsSettings.From(command);
        }
        catch (CommandLineException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return WorkerCommands.UsageError;
        }

        var job = settings.Job;
        if (settings.CandidatePath is { } candidatePath)
        {
            // Compiled before any call: a bad candidate stops the verb with every error, as `policy check` lists them.
            job = job with { Candidate = QualificationPolicy.Compile(await PolicyLoader.FromFileAsync(candidatePath, CancellationToken.None)) };
        }

        using var host = BuildHost(command.ConfigurationArguments);
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var progress = new ProgressLines(stdout);
        var outcome = await host.Services.GetRequiredService<InsightsRunner>().TryRunAsync(
            job,
            estimate => stdout.WriteLineAsync("Insights: reading the portal's history. Estimated HubSpot calls: " + estimate.Describe()),
            progress.Show,
            lifetime.ApplicationStopping) ?? throw new InvalidOperationException("A one-shot host runs one analysis.");
        await stdout.WriteLineAsync();
        await stdout.WriteAsync(InsightsText.Render(outcome));
        await WriteFilesAsync(settings, outcome, host.Services.GetRequiredService<QualificationPolicy>(), stdout);
        await host.StopAsync();
        return WorkerCommands.Success;
    }

    /// <summary>A one-shot host (no web server, nothing in the background), made and validated as every verb's is.</summary>
    private static IHost BuildHost(string[] configurationArguments) =>
        WorkerHost.CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings { Args = configurationArguments, Features = WorkerFeatures.None }).Build();

    private static async Task WriteFilesAsync(InsightsSettings settings, InsightsOutcome outcome, QualificationPolicy policy, TextWriter stdout)
    {
        if (settings.HtmlPath is { } html)
        {
            await OutputFile.WriteAllTextAsync(html, InsightsHtml.Page(outcome), CancellationToken.None);
            await stdout.WriteLineAsync($"HTML page: {System.IO.Path.GetFullPath(html)}");
        }

        if (settings.JsonPath is { } json)
        {
            await OutputFile.WriteAllTextAsync(json, outcome.ToJson(), CancellationToken.None);
            await stdout.WriteLineAsync($"JSON: {json}");
        }

        if (settings.SuggestPath is { } suggest)
        {
            await OutputFile.WriteAllTextAsync(suggest, PolicySuggestion.Write(PolicyLoader.ToJson(policy.Options), outcome.Report), CancellationToken.None);
            await stdout.WriteLineAsync($"Suggested policy: {suggest}. These are suggestions from the measured lifts, not decisions: review it with");
            await stdout.WriteLineAsync($"  policy check {suggest}");
            await stdout.WriteLineAsync($"and see what it would change on the portal, writing nothing, with");
            await stdout.WriteLineAsync($"  resync --dry-run --Qualification:PolicyFile={suggest}");
            await stdout.WriteLineAsync($"or compare it with the current policy on the same contacts: insights --policy {suggest}");
        }
    }

    /// <summary>Progress as a line at each quarter of the listing (readable in logs and terminals alike).</summary>
    private sealed class ProgressLines(TextWriter output)
    {
        private int _quarter;

        public void Show(InsightsProgress progress)
        {
            // Called from the run's own flow, one page at a time: a synchronous line is the progress.
            var quarter = progress.ToList is > 0 and var total ? (int)(4L * progress.Listed / total) : 0;
            if (quarter > _quarter)
            {
                _quarter = quarter;
                output.WriteLine("  " + progress.Describe());
            }
        }
    }
}
