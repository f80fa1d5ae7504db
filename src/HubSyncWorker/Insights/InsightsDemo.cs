using System.Globalization;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;

namespace HubSyncWorker.Insights;

/// <summary>
/// The demo's insights part: contacts with a past planted in the demo portal (demo-video viewers become SQL three times as often, a
/// newsletter sign-up makes no difference, students never do), and, at the end of the demo, the insights run that recovers it.
/// </summary>
internal static class InsightsDemo
{
    /// <summary>The fewest contacts with a past the demo plants: enough MQLs for the planted lifts' intervals to tell them from none.</summary>
    public const int MinPlanted = 2000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Imports <paramref name="count"/> contacts with a past (stage dates, histories) carrying the planted effects.</summary>
    public static PortalTruth Plant(HubSpotSandbox sandbox, int count, int seed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sandbox);

        // A minute back: the generator's latest moment must not be after the portal's clock.
        return new PortalGenerator(seed).SeedWithHistory(sandbox.Contacts, count, now.AddMinutes(-1));
    }

    /// <summary>
    /// Runs the analysis on the worker once its output properties exist, before its first resync: the history as it stood when the
    /// worker arrived, without the decisions the demo's worker makes today (a contact qualified minutes ago has had no time to convert).
    /// </summary>
    public static async Task<InsightsOutcome> RunAsync(IServiceProvider services, HubSpotSandbox sandbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sandbox);
        await services.GetRequiredService<Sync.BootstrapGate>().WaitAsync(cancellationToken);

        // Search is eventually consistent, as HubSpot's is: the counts behind the call estimate see the import once it is indexed.
        await Task.Delay(sandbox.Options.SearchIndexLag, services.GetRequiredService<TimeProvider>(), cancellationToken);
        return await services.GetRequiredService<InsightsRunner>().TryRunAsync(
            new InsightsJob(new InsightsAsk(), new InsightsRequest()), null, null, cancellationToken)
            ?? throw new InvalidOperationException("Nothing else runs an analysis in the demo.");
    }

    /// <summary>Prints the demo's insights section and returns the demo's checks on it that failed.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(InsightsOutcome outcome, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(stdout);
        await stdout.WriteLineAsync("Insights: what the portal's history said when the worker arrived (the insights verb, run before the first resync;");
        await stdout.WriteLineAsync("each contact measured with the values it had when first qualified, never today's)");
        await stdout.WriteAsync(InsightsText.Summary(outcome));

        List<string> problems = [];
        var video = outcome.Report.Rules.FirstOrDefault(r => r.Name == "demo-video")?.Steps.FirstOrDefault(s => s.Step == FunnelStep.MqlToSql)?.Lift;
        if (video is not { Low: > 1 })
        {
            problems.Add("insights did not find that demo-video viewers become SQL more often (planted: 3×)");
        }

        if (outcome.Collection.Calls.Total != outcome.Collection.Estimate.Total)
        {
            problems.Add(string.Create(Inv, $"insights estimated {outcome.Collection.Estimate.Total} HubSpot calls and made {outcome.Collection.Calls.Total}"));
        }

        return problems;
    }
}
