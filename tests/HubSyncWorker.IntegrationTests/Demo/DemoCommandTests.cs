using System.Text.RegularExpressions;
using HubSyncWorker.Cli;
using HubSyncWorker.Reporting;

namespace HubSyncWorker.IntegrationTests.Demo;

/// <summary>The <c>demo</c> verb end to end, in-process: sandbox portal, real worker on Kestrel, webhooks, resync, live activity.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubsync-demo-").FullName;

    [Fact]
    public async Task RunAsync_SmallPortal_ReachesEveryStageWithRatesPerSourceAndNeitherUnhandled429sNorWriteLoops()
    {
        var json = Path.Combine(_folder, "funnel.json");
        var html = Path.Combine(_folder, "demo-report.html");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["demo", "--contacts", "300", "--seed", "42", "--html", html, "--out", json], stdout, stderr);

        var output = stdout.ToString();
        Assert.True(exit == WorkerCommands.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{stderr}");
        Assert.Equal("", stderr.ToString());

        // Every stage reached, counted from the worker's decisions (300 seeded, 2,000 with a past for insights, 3 signed up during the live minute).
        var funnel = FunnelReport.FromJson(await File.ReadAllTextAsync(json));
        Assert.Equal(2303, funnel.Total);
        Assert.All(FunnelReport.Statuses, status => Assert.True(funnel.CountOf(status) > 0, $"no contact at {status}"));

        // Conversion rates per source, in the printed table too.
        var withRates = funnel.By(FunnelDimension.Source).Where(s => s.Conversion("lead", "mql").Rate is not null && s.Conversion("mql", "sql").Rate is not null).ToList();
        Assert.True(withRates.Count >= 3, $"only {withRates.Count} sources have lead→MQL and MQL→SQL rates");
        foreach (var source in withRates)
        {
            Assert.Matches(new Regex($@"(?m)^  {Regex.Escape(source.Name)} +\d+ +\d+ +{Regex.Escape(FunnelTable.Percent(source.Conversion("lead", "mql").Rate))} "), output);
        }

        // No unhandled 429, no write loop, and the live minute's write-backs landed with their reasons.
        Assert.Matches(@"429 answers: +\d+ \([^;]+; 0 calls failed\)", output);
        Assert.Matches(@"write loops: +0 writes after the activity settled", output);
        Assert.Matches(@"contacts written: +[\d,]+ by the first resync, 0 by the second, \d+ live", output);

        // The insights section: the planted demo-video lift found, the calls it estimated made.
        Assert.Matches(@"(?m)^  demo-video +×\d", output);
        Assert.Matches(@"(?m)^HubSpot calls: list 23, search 2, batch read 0, history read \d+", output);
        Assert.Contains("every webhook delivered and every write-back landed", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  #\d+ +customer +→ evangelist +Evangelist \(referral\)", output);
        Assert.Matches(@"(?m)^  #\d+ +none +→ disqualified +Disqualified \(competitor domain\)", output);
        Assert.Contains("Checks passed", output, StringComparison.Ordinal);

        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("id=\"funnel-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-lift-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-calibration\"", page, StringComparison.Ordinal);
        Assert.Contains("Evangelist (referral)", page, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
