using System.Text.RegularExpressions;
using HubSyncWorker.Reporting;

namespace HubSyncWorker.UnitTests.Reporting;

public sealed class FunnelHtmlTests
{
    private static readonly string Html = FunnelHtml.Render(
        FunnelReportTests.Known() with { Samples = [new FunnelSample("7", "lead", "mql", "organic:content", "MQL <fit 80> & engagement 45")] },
        [("calls", "96"), ("429 answers", "0")]);

    [Fact]
    public void Render_KnownFunnel_HasOneChartBarPerFunnelStageWithItsReachedCount()
    {
        var chart = Regex.Match(Html, "<svg id=\"funnel-chart\".*?</svg>", RegexOptions.Singleline).Value;

        Assert.Equal(7, Regex.Matches(chart, "<rect ").Count);
        foreach (var label in new[] { "contact: 100 reached", "lead: 86 reached", "mql: 26 reached", "sql: 11 reached", "opportunity: 6 reached", "customer: 3 reached", "evangelist: 1 reached" })
        {
            Assert.Contains(label, chart, StringComparison.Ordinal);
        }

        Assert.Contains("▼ 30.2 %", chart, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KnownFunnel_TablesShowStagesSourcesOffersAndFacts()
    {
        Assert.Contains("<tr><td>lead</td><td>60</td><td>86</td><td>contact→lead: 86.0 %</td></tr>", Html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"off\"><td>recycled</td><td>5</td>", Html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>organic</td><td>73</td><td>63</td><td>36.5 %</td><td>34.8 %</td><td>37.5 %</td></tr>", Html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>newsletter</td><td>45</td><td>45</td><td>11.1 %</td><td>0.0 %</td><td>-</td></tr>", Html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>429 answers</td><td>0</td></tr>", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ReasonWithMarkup_IsEncodedNotInterpreted()
    {
        Assert.Contains("MQL &lt;fit 80&gt; &amp; engagement 45", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<fit 80>", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Page_IsSelfContainedWithoutScriptsOrExternalAssets()
    {
        Assert.StartsWith("<!DOCTYPE html>", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Regex.Matches(Html, "https?://"), m => !Html[(m.Index - 7)..m.Index].Contains("xmlns", StringComparison.Ordinal));
    }
}
