using HubSyncWorker.Reporting;

namespace HubSyncWorker.Cli;

/// <summary>
/// The <c>report</c> verb: prints the funnel a resync saved (<c>--input funnel.json</c>) and, with <c>--html</c>, writes it as a
/// self-contained HTML page. Reads only the file: no call to HubSpot.
/// </summary>
internal static class ReportCommand
{
    public static async Task<int> RunAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (command.Flags.GetValueOrDefault("--input") is not { Length: > 0 } input)
        {
            await stderr.WriteLineAsync("report needs --input <funnel.json> (the funnel a resync or the demo saved with --out).");
            return WorkerCommands.UsageError;
        }

        FunnelReport report;
        try
        {
            report = FunnelReport.FromJson(await File.ReadAllTextAsync(input));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Bad input, as for evaluate and policy check: exit code 2.
            await stderr.WriteLineAsync($"Cannot read the funnel report '{input}': {ex.Message}");
            return PolicyCommands.InvalidInput;
        }

        await stdout.WriteAsync(FunnelTable.Render(report));
        if (command.Flags.GetValueOrDefault("--html") is { Length: > 0 } html)
        {
            await OutputFile.WriteAllTextAsync(html, FunnelHtml.Render(report), CancellationToken.None);
            await stdout.WriteLineAsync($"HTML report: {html}");
        }

        return WorkerCommands.Success;
    }
}
