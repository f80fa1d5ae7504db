using System.Diagnostics;
using HubSyncWorker.Reporting;

namespace HubSyncWorker.IntegrationTests.Demo;

/// <summary>
/// <c>scripts/report-screenshot.sh</c>: the HTML funnel report opens in headless Chromium (installed by the script when missing),
/// a screenshot is taken and the rendered page is checked.
/// </summary>
public sealed class ReportScreenshotTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubsync-screenshot-").FullName;

    [Fact]
    public async Task Script_FunnelReport_RendersAScreenshotShowingTheChartAndTable()
    {
        var html = Path.Combine(_folder, "report.html");
        var png = Path.Combine(_folder, "report.png");
        await File.WriteAllTextAsync(html, FunnelHtml.Render(Portal(), [("calls", "96"), ("429 answers", "0")]));

        var (exit, output) = await RunScriptAsync(html, png);

        Assert.True(exit == 0, output);
        Assert.Contains("the page shows the funnel chart and table", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(png).Length > 20_000, $"screenshot of {new FileInfo(png).Length} bytes");
    }

    [Fact]
    public async Task Script_DemoReportWithInsights_RendersTheInsightsCharts()
    {
        var html = Path.Combine(_folder, "demo-report.html");
        var png = Path.Combine(_folder, "demo-report.png");
        await File.WriteAllTextAsync(html, FunnelHtml.Render(Portal(), [("calls", "160")], HubSyncWorker.Insights.InsightsHtml.Section(HubSyncWorker.IntegrationTests.Insights.SampleInsights.Report())));

        var (exit, output) = await RunScriptAsync(html, png, InsightsMarkers);

        Assert.True(exit == 0, output);
        Assert.True(new FileInfo(png).Length > 20_000, $"screenshot of {new FileInfo(png).Length} bytes");
    }

    [Fact]
    public async Task Script_DemoReportWithoutInsights_FailsNamingTheMissingChart()
    {
        var html = Path.Combine(_folder, "no-insights.html");
        await File.WriteAllTextAsync(html, FunnelHtml.Render(Portal(), [("calls", "96")]));

        var (exit, output) = await RunScriptAsync(html, Path.Combine(_folder, "no-insights.png"), InsightsMarkers);

        Assert.Equal(1, exit);
        Assert.Contains("the rendered page has no id=\"insights-lift-chart\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_PageWithoutTheFunnel_FailsSayingWhatIsMissing()
    {
        var html = Path.Combine(_folder, "empty.html");
        await File.WriteAllTextAsync(html, "<!DOCTYPE html><html><body><p>nothing here</p></body></html>");

        var (exit, output) = await RunScriptAsync(html, Path.Combine(_folder, "empty.png"));

        Assert.Equal(1, exit);
        Assert.Contains("the rendered page has no id=\"funnel-chart\"", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static FunnelReport Portal() => new("Screenshot portal", new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), DryRun: true,
    [
        new("contact", "offline:none", 180), new("lead", "organic:newsletter", 420), new("lead", "paid_social:none", 230),
        new("mql", "organic:content", 90), new("sql", "organic:demo", 60), new("opportunity", "referral:demo", 35),
        new("customer", "referral:demo", 20), new("evangelist", "referral:demo", 8), new("disqualified", "direct:demo", 25),
        new("recycled", "email:newsletter", 40),
    ], [new FunnelSample("42", "mql", "sql", "organic:demo", "SQL (hand-raiser conversion): fit 90, engagement 53")]);

    /// <summary>The insights charts the demo's report must show (the lift chart, the heat map with its thresholds, the funnels per source and offer).</summary>
    private const string InsightsMarkers = "id=\"insights-lift-chart\" id=\"insights-calibration\" class=\"threshold\" id=\"insights-funnel-sources\" id=\"insights-funnel-offers\"";

    private static async Task<(int Exit, string Output)> RunScriptAsync(string html, string png, string? extraMarkers = null)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "report-screenshot.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (extraMarkers is not null)
        {
            start.Environment["EXTRA_MARKERS"] = extraMarkers;
        }

        start.ArgumentList.Add(script);
        start.ArgumentList.Add(html);
        start.ArgumentList.Add(png);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "HubSyncWorker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("HubSyncWorker.sln not found above " + AppContext.BaseDirectory);
    }
}
