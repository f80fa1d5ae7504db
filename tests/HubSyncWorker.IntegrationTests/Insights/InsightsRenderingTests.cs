using HubSyncWorker.Insights;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>The insights outputs: the HTML page holds its charts, the JSON round-trips, the terminal summary says what a marketer needs.</summary>
public sealed class InsightsRenderingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Page_Report_HoldsTheLiftChartHeatMapWithThresholdsAndFunnelsPerSourceAndOffer()
    {
        var html = InsightsHtml.Page(SampleInsights.Outcome());

        Assert.Contains("id=\"insights-lift-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-calibration\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-funnel-sources\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"insights-funnel-offers\"", html, StringComparison.Ordinal);

        // One interval bar per rule with a lift, and today's two thresholds drawn on the heat map.
        Assert.Equal(3, Count(html, "class=\"interval\""));
        Assert.Equal(2, Count(html, "class=\"threshold\""));
        Assert.Equal(5, Count(html, "class=\"cell\""));
        Assert.Contains("demo_video: &#215;3.05 [2.50–3.70]", html, StringComparison.Ordinal);
        Assert.Contains("ORGANIC_SEARCH (900)", html, StringComparison.Ordinal);
        Assert.Contains("Request a demo (200)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Page_NamesWithMarkup_AreEscaped()
    {
        var outcome = SampleInsights.Outcome();
        outcome = outcome with { Report = outcome.Report with { Offers = [outcome.Report.Offers[0] with { Name = "<b>Demo</b>" }] } };

        var html = InsightsHtml.Page(outcome);

        Assert.DoesNotContain("<b>Demo</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Demo&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Outcome_RoundTrips()
    {
        var json = SampleInsights.Outcome().ToJson();

        var back = InsightsOutcome.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Equal(210, back.Report.Funnel[FunnelStep.MqlToSql].Converted);
        Assert.Equal("demo_video", back.Report.Rules[0].Name);
        Assert.Contains("\"mqlToSql\"", json.Replace("MqlToSql", "mqlToSql", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Report_ListsPredictingAndNonPredictingRulesSuggestionsComparisonAndCalls()
    {
        var text = InsightsText.Render(SampleInsights.Outcome());
        output.WriteLine(text);

        Assert.Contains("demo_video", text[text.IndexOf("Rules that predict", StringComparison.Ordinal)..text.IndexOf("Rules that do not predict", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("newsletter", text[text.IndexOf("Rules that do not predict", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("×3.05 [2.50–3.70]", text, StringComparison.Ordinal);
        Assert.Contains("fit ≥ 60, engagement ≥ 45: 412 MQLs", text, StringComparison.Ordinal);
        Assert.Contains("demo_video                     10 →   25", text, StringComparison.Ordinal);
        Assert.Contains("SQLs missed", text, StringComparison.Ordinal);
        Assert.Contains("HubSpot calls: list 20, search 2, batch read 0, history read 9", text, StringComparison.Ordinal);
        Assert.Contains("MQL→SQL                 30.0 %  (210 of 700)", text, StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
