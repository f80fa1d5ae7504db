using System.Globalization;
using System.Net;
using System.Text;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Insights;

/// <summary>
/// An insights run as HTML with inline SVG charts, in the style of the funnel report: the lift of each rule with its 95 % interval,
/// the calibration heat map with today's MQL thresholds drawn on it, and the funnel per original source and per first offer. No
/// script, no external asset. <see cref="Page"/> is a whole page; <see cref="Section"/> is the part the demo's report embeds.
/// </summary>
internal static class InsightsHtml
{
    private const int Width = 640;
    private const int LabelWidth = 190;
    private const int Row = 26;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] StepColors = ["#60a5fa", "#6366f1", "#10b981"];
    private static readonly FunnelStep[] GroupSteps = [FunnelStep.LeadToMql, FunnelStep.MqlToSql, FunnelStep.QualifiedToCustomer];

    public static string Page(InsightsOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Insights: what predicts SQLs and customers</title>");
        html.AppendLine("""
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px 32px;color:#0f172a;background:#f8fafc}
            h1{font-size:24px;margin:0 0 4px}
            .meta{color:#475569;margin:0 0 16px}
            </style></head><body>
            """);
        html.AppendLine("<h1>Insights: what predicts SQLs and customers</h1>");
        var c = outcome.Collection;
        html.AppendLine(Inv, $"<p class=\"meta\">HubSpot calls: {E(c.Calls.Describe())}; {E(c.Calls.DescribeTime())}.</p>");
        html.Append(Section(outcome.Report));
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>The insights charts and tables as one block (its own styles included), to put in any page.</summary>
    public static string Section(InsightsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.AppendLine("""
            <style>
            .ins h2{font-size:18px;margin:8px 0 8px} .ins .grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin-top:16px}
            .ins .card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px}
            .ins table{border-collapse:collapse;font-size:14px} .ins th,.ins td{padding:4px 10px;text-align:right;border-bottom:1px solid #e2e8f0}
            .ins th:first-child,.ins td:first-child{text-align:left} .ins th{color:#475569;font-weight:600} .ins .note{color:#475569;font-size:13px;max-width:640px}
            .ins svg text{font-family:inherit}
            </style>
            """);
        html.AppendLine(Inv, $"<section class=\"ins\" id=\"insights\"><h2>Insights from the portal's history: {report.Contacts:N0} contacts, analysed {report.AnalysedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC</h2>");
        html.AppendLine("<p class=\"note\">Each contact is measured with the values it had when it was first qualified (or the scores the worker recorded then), never today's. A lift is the MQL→SQL rate with the signal divided by the rate without it; the bar is its 95 % interval, and an interval across ×1 means the data cannot tell the signal from no effect.</p>");
        html.AppendLine("<div class=\"grid\"><div class=\"card\"><h2>MQL→SQL lift per rule</h2>");
        AppendLiftChart(html, report.Rules);
        html.AppendLine("</div><div class=\"card\"><h2>Conversion to SQL by fit × engagement</h2>");
        AppendHeatMap(html, report.Calibration);
        html.AppendLine("</div></div>");
        html.AppendLine("<div class=\"grid\"><div class=\"card\"><h2>Funnel per original source</h2>");
        AppendGroupChart(html, "insights-funnel-sources", report.Sources);
        html.AppendLine("</div><div class=\"card\"><h2>Funnel per first converting offer</h2>");
        AppendGroupChart(html, "insights-funnel-offers", report.Offers);
        html.AppendLine("</div></div>");
        AppendSuggestions(html, report);
        html.AppendLine("</section>");
        return html.ToString();
    }

    private static void AppendLiftChart(StringBuilder html, IReadOnlyList<SignalLift> rules)
    {
        var rows = rules.Select(r => (Rule: r, Lift: InsightsText.Step(r, FunnelStep.MqlToSql)?.Lift)).Where(r => r.Lift is not null)
            .OrderByDescending(r => r.Lift!.Ratio).ToList();
        var height = Math.Max(1, rows.Count) * Row + 40;
        html.AppendLine(Inv, $"<svg id=\"insights-lift-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"MQL to SQL lift per rule with 95 % intervals\">");
        if (rows.Count == 0)
        {
            html.AppendLine("<text x=\"0\" y=\"20\" font-size=\"14\" fill=\"#475569\">No rule has contacts on both sides yet.</text></svg>");
            return;
        }

        // Ratios on a log scale, so ×2 and ×0.5 sit as far from ×1.
        var low = Math.Log2(Math.Clamp(rows.Min(r => r.Lift!.Low), 1 / 16.0, 0.5));
        var high = Math.Log2(Math.Clamp(rows.Max(r => r.Lift!.High), 2, 16));
        const double plotLeft = LabelWidth + 10;
        const double plotWidth = Width - LabelWidth - 30;
        double X(double ratio) => plotLeft + plotWidth * (Math.Log2(Math.Clamp(ratio, Math.Pow(2, low), Math.Pow(2, high))) - low) / (high - low);
        var axis = rows.Count * Row + 8;
        for (var tick = Math.Ceiling(low); tick <= high; tick++)
        {
            var x = X(Math.Pow(2, tick));
            html.AppendLine(Inv, $"<line x1=\"{x:F1}\" y1=\"0\" x2=\"{x:F1}\" y2=\"{axis}\" stroke=\"{(tick == 0 ? "#0f172a" : "#e2e8f0")}\" stroke-dasharray=\"{(tick == 0 ? "4 3" : "none")}\"/>");
            html.AppendLine(Inv, $"<text x=\"{x:F1}\" y=\"{axis + 16}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#475569\">×{Math.Pow(2, tick):0.###}</text>");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var (rule, lift) = (rows[i].Rule, rows[i].Lift!);
            var y = i * Row + Row / 2.0;
            var color = lift.Low > 1 ? "#059669" : lift.High < 1 ? "#dc2626" : "#94a3b8";
            html.AppendLine(Inv, $"<text x=\"0\" y=\"{y + 4:F1}\" font-size=\"13\" fill=\"#0f172a\">{E(rule.Name)}</text>");
            html.AppendLine(Inv, $"<line class=\"interval\" x1=\"{X(lift.Low):F1}\" y1=\"{y:F1}\" x2=\"{X(lift.High):F1}\" y2=\"{y:F1}\" stroke=\"{color}\" stroke-width=\"3\" stroke-linecap=\"round\"><title>{E(rule.Name)}: {E(InsightsText.LiftText(lift))}</title></line>");
            html.AppendLine(Inv, $"<circle cx=\"{X(lift.Ratio):F1}\" cy=\"{y:F1}\" r=\"5\" fill=\"{color}\"><title>{E(rule.Name)}: {E(InsightsText.LiftText(lift))}, {rule.With:N0} contacts with it{(rule.DoesNotPredict ? "; does not predict" : "")}</title></circle>");
        }

        html.AppendLine("</svg>");
    }

    private static void AppendHeatMap(StringBuilder html, Calibration calibration)
    {
        const int cell = 30;
        const int left = 70;
        const int top = 10;
        var band = Math.Max(1, calibration.BandWidth);
        var fitBands = Math.Max(calibration.Cells.Select(c => c.FitLow / band + 1).DefaultIfEmpty(1).Max(), calibration.MqlFitThreshold / band + 1);
        var engagementBands = Math.Max(calibration.Cells.Select(c => c.EngagementLow / band + 1).DefaultIfEmpty(1).Max(), calibration.MqlEngagementThreshold / band + 1);
        var width = Math.Max(420, left + engagementBands * cell + 20);
        var height = top + fitBands * cell + 66;
        html.AppendLine(Inv, $"<svg id=\"insights-calibration\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Conversion to SQL by fit band and engagement band, with today's MQL thresholds\">");

        // Fit grows upwards, engagement rightwards: the MQL zone is the top-right corner.
        double Y(double fit) => top + fitBands * cell - fit / band * cell;
        double X(double engagement) => left + engagement / band * cell;
        foreach (var c in calibration.Cells.Where(c => c.Contacts > 0))
        {
            var rate = (double)c.ToSql / c.Contacts;
            html.AppendLine(Inv, $"<rect class=\"cell\" x=\"{X(c.EngagementLow):F1}\" y=\"{Y(c.FitLow + band):F1}\" width=\"{cell - 1}\" height=\"{cell - 1}\" fill=\"{Heat(rate)}\"><title>fit {c.FitLow}–{c.FitLow + band - 1}, engagement {c.EngagementLow}–{c.EngagementLow + band - 1}: {c.Contacts:N0} contacts, {E(InsightsText.Percent(rate))} → SQL, {c.ToCustomer:N0} customers</title></rect>");
        }

        for (var f = 0; f <= fitBands; f += 2)
        {
            html.AppendLine(Inv, $"<text x=\"{left - 6}\" y=\"{Y(f * band) + 4:F1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#475569\">{f * band}</text>");
        }

        for (var e = 0; e <= engagementBands; e += 2)
        {
            html.AppendLine(Inv, $"<text x=\"{X(e * band):F1}\" y=\"{Y(0) + 16:F1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#475569\">{e * band}</text>");
        }

        html.AppendLine(Inv, $"<text x=\"{left}\" y=\"{Y(0) + 34:F1}\" font-size=\"12\" fill=\"#0f172a\">engagement →, fit ↑; the greener, the more became SQL</text>");
        html.AppendLine(Inv, $"<text x=\"{left}\" y=\"{Y(0) + 52:F1}\" font-size=\"12\" fill=\"#0f172a\">dashed: today's MQL test, fit ≥ {calibration.MqlFitThreshold} and engagement ≥ {calibration.MqlEngagementThreshold}</text>");
        var fx = Y(calibration.MqlFitThreshold);
        var ex = X(calibration.MqlEngagementThreshold);
        html.AppendLine(Inv, $"<line class=\"threshold\" x1=\"{ex:F1}\" y1=\"{top}\" x2=\"{ex:F1}\" y2=\"{fx:F1}\" stroke=\"#0f172a\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>");
        html.AppendLine(Inv, $"<line class=\"threshold\" x1=\"{ex:F1}\" y1=\"{fx:F1}\" x2=\"{X(engagementBands * band):F1}\" y2=\"{fx:F1}\" stroke=\"#0f172a\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>");
        html.AppendLine("</svg>");
    }

    private static void AppendGroupChart(StringBuilder html, string id, IReadOnlyList<SignalLift> groups)
    {
        var rows = groups.OrderByDescending(g => g.With).Take(10).ToList();
        const int bar = 7;
        const int groupRow = 3 * bar + 12;
        var height = Math.Max(1, rows.Count) * groupRow + 30;
        html.AppendLine(Inv, $"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"lead to MQL, MQL to SQL and to customer rates per group\">");
        const double plotLeft = LabelWidth + 10;
        const double plotWidth = Width - LabelWidth - 80;
        for (var i = 0; i < rows.Count; i++)
        {
            var y = i * groupRow;
            html.AppendLine(Inv, $"<text x=\"0\" y=\"{y + groupRow / 2.0:F1}\" font-size=\"13\" fill=\"#0f172a\">{E(rows[i].Name)} ({rows[i].With:N0})</text>");
            for (var s = 0; s < GroupSteps.Length; s++)
            {
                var rate = InsightsText.Step(rows[i], GroupSteps[s])?.With.Rate ?? 0;
                var by = y + s * bar + 4;
                html.AppendLine(Inv, $"<rect x=\"{plotLeft:F1}\" y=\"{by}\" width=\"{Math.Max(1, plotWidth * rate):F1}\" height=\"{bar - 1}\" fill=\"{StepColors[s]}\"><title>{E(rows[i].Name)} {E(InsightsText.StepLabel(GroupSteps[s]))}: {E(InsightsText.Percent(rate))}</title></rect>");
                html.AppendLine(Inv, $"<text x=\"{plotLeft + Math.Max(1, plotWidth * rate) + 4:F1}\" y=\"{by + bar - 1}\" font-size=\"10\" fill=\"#475569\">{E(InsightsText.Percent(rate))}</text>");
            }
        }

        var legend = rows.Count * groupRow + 16;
        for (var s = 0; s < GroupSteps.Length; s++)
        {
            html.AppendLine(Inv, $"<rect x=\"{plotLeft + s * 130:F1}\" y=\"{legend - 9}\" width=\"10\" height=\"10\" fill=\"{StepColors[s]}\"/><text x=\"{plotLeft + s * 130 + 14:F1}\" y=\"{legend}\" font-size=\"12\" fill=\"#475569\">{E(InsightsText.StepLabel(GroupSteps[s]))}</text>");
        }

        html.AppendLine("</svg>");
    }

    private static void AppendSuggestions(StringBuilder html, InsightsReport report)
    {
        html.AppendLine("<div class=\"grid\"><div class=\"card\"><h2>Suggestions (review them before use)</h2><table id=\"insights-suggestions\">");
        html.AppendLine("<tr><th>suggestion</th><th>today</th><th>suggested</th><th>why</th></tr>");
        foreach (var t in report.Thresholds)
        {
            html.AppendLine(Inv, $"<tr><td>MQL thresholds for {E(t.Goal)}</td><td>fit ≥ {report.Calibration.MqlFitThreshold}, engagement ≥ {report.Calibration.MqlEngagementThreshold}</td><td>fit ≥ {t.FitThreshold}, engagement ≥ {t.EngagementThreshold}</td><td>{t.Mqls:N0} MQLs, {E(InsightsText.Percent(t.MqlToSql.Rate))} → SQL</td></tr>");
        }

        foreach (var p in report.Points.Where(p => p.SuggestedPoints != p.CurrentPoints))
        {
            html.AppendLine(Inv, $"<tr><td>points of {E(p.RuleId)}</td><td>{p.CurrentPoints}</td><td>{p.SuggestedPoints}</td><td>{E(p.Why)}</td></tr>");
        }

        html.AppendLine("</table></div>");
        if (report.Comparison is { } comparison)
        {
            html.AppendLine("<div class=\"card\"><h2>Candidate policy against the current one</h2><table id=\"insights-comparison\">");
            html.AppendLine("<tr><th>policy</th><th>MQLs</th><th>→ SQL</th><th>→ customer</th><th>SQLs missed</th></tr>");
            foreach (var (label, o) in new[] { ("current", comparison.Current), ("candidate", comparison.Candidate) })
            {
                html.AppendLine(Inv, $"<tr><td>{label} {E(o.PolicyVersion)}</td><td>{o.Mqls:N0}</td><td>{E(InsightsText.Percent(InsightsText.Rate(o.BecameSql, o.Mqls)))}</td><td>{E(InsightsText.Percent(InsightsText.Rate(o.BecameCustomer, o.Mqls)))}</td><td>{o.MissedSqls:N0}</td></tr>");
            }

            html.AppendLine("</table></div>");
        }

        html.AppendLine("</div>");
    }

    /// <summary>White (0 %) to deep green (60 % or more) for a conversion rate.</summary>
    private static string Heat(double rate)
    {
        var t = Math.Clamp(rate / 0.6, 0, 1);
        var r = (int)Math.Round(240 - t * (240 - 5));
        var g = (int)Math.Round(253 - t * (253 - 150));
        var b = (int)Math.Round(244 - t * (244 - 105));
        return string.Create(Inv, $"#{r:x2}{g:x2}{b:x2}");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
