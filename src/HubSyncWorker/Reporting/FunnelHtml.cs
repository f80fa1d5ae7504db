using System.Globalization;
using System.Net;
using System.Text;

namespace HubSyncWorker.Reporting;

/// <summary>
/// The funnel as one self-contained HTML page: inline CSS, an inline SVG funnel chart, the stage table, conversion rates by source
/// and by offer, and example contacts with their reasons. No script, no external asset: it opens anywhere, offline.
/// </summary>
internal static class FunnelHtml
{
    private const int ChartWidth = 480;
    private const int BarHeight = 34;
    private const int RowHeight = 52;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] StageColors = ["#94a3b8", "#60a5fa", "#3b82f6", "#6366f1", "#8b5cf6", "#10b981", "#059669"];

    /// <summary>
    /// The page; <paramref name="facts"/> (label, value) are shown as a small table under the title (e.g. the API usage), and
    /// <paramref name="appendix"/> (HTML, e.g. the insights section) at the end.
    /// </summary>
    public static string Render(FunnelReport report, IReadOnlyList<(string Label, string Value)>? facts = null, string? appendix = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var overall = report.Overall();
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(Inv, $"<title>{E(report.Title)}</title>");
        html.AppendLine("""
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px 32px;color:#0f172a;background:#f8fafc}
            h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:8px 0 8px}
            .grid+.grid,.grid+h2{margin-top:24px}
            .meta{color:#475569;margin:0 0 16px}
            .grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
            .card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px}
            table{border-collapse:collapse;font-size:14px}
            th,td{padding:4px 10px;text-align:right;border-bottom:1px solid #e2e8f0}
            th:first-child,td:first-child{text-align:left}
            th{color:#475569;font-weight:600}
            td.reason{text-align:left;max-width:720px}
            .off{color:#64748b}
            #api-usage td,#samples td,#samples th{text-align:left} #api-usage td:first-child{white-space:nowrap}
            svg text{font-family:inherit}
            </style></head><body>
            """);
        html.AppendLine(Inv, $"<h1>{E(report.Title)}</h1>");
        html.AppendLine(Inv, $"<p class=\"meta\">{overall.Total:N0} contacts, decided by the worker{(report.DryRun ? " (dry run)" : "")}; generated {report.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC.</p>");

        html.AppendLine("<div class=\"grid\"><div class=\"card\">");
        AppendChart(html, overall);
        html.AppendLine("</div><div class=\"card\">");
        AppendStageTable(html, overall);
        html.AppendLine("</div>");
        if (facts is { Count: > 0 })
        {
            html.AppendLine("<div class=\"card\"><table id=\"api-usage\"><tr><th>API usage</th><th></th></tr>");
            foreach (var (label, value) in facts)
            {
                html.AppendLine(Inv, $"<tr><td>{E(label)}</td><td>{E(value)}</td></tr>");
            }

            html.AppendLine("</table></div>");
        }

        html.AppendLine("</div>");
        html.AppendLine("<div class=\"grid\">");
        AppendGroups(html, "Conversion by original source", report.By(FunnelDimension.Source));
        AppendGroups(html, "Conversion by first converting offer", report.By(FunnelDimension.Offer));
        html.AppendLine("</div>");
        if (report.Samples.Count > 0)
        {
            html.AppendLine("<div class=\"card\" style=\"margin-top:24px\"><h2>Example contacts and the worker's reasons</h2><table id=\"samples\">");
            html.AppendLine("<tr><th>contact</th><th>from</th><th>to</th><th>source bucket</th><th>reason</th></tr>");
            foreach (var sample in report.Samples)
            {
                html.AppendLine(Inv, $"<tr><td>{E(sample.ContactId)}</td><td>{E(sample.From)}</td><td>{E(sample.To)}</td><td>{E(sample.SourceBucket)}</td><td class=\"reason\">{E(sample.Reason)}</td></tr>");
            }

            html.AppendLine("</table></div>");
        }

        html.Append(appendix);
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void AppendChart(StringBuilder html, FunnelSummary overall)
    {
        var stages = overall.Reached;
        var height = stages.Count * RowHeight + 8;
        var max = Math.Max(1, stages.Max(s => s.Count));
        html.AppendLine(Inv, $"<svg id=\"funnel-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{ChartWidth}\" height=\"{height}\" viewBox=\"0 0 {ChartWidth} {height}\" role=\"img\" aria-label=\"Funnel chart: contacts that reached each stage\">");
        const int labelWidth = 105;
        const int barArea = ChartWidth - labelWidth - 20;
        for (var i = 0; i < stages.Count; i++)
        {
            var (stage, count) = stages[i];
            var width = Math.Max(4, barArea * count / (double)max);
            var x = labelWidth + (barArea - width) / 2;
            var y = i * RowHeight + 4;
            html.AppendLine(Inv, $"<text x=\"0\" y=\"{y + BarHeight / 2 + 5}\" font-size=\"15\" font-weight=\"600\" fill=\"#0f172a\">{E(stage)}</text>");
            html.AppendLine(Inv, $"<rect x=\"{x:F1}\" y=\"{y}\" width=\"{width:F1}\" height=\"{BarHeight}\" rx=\"6\" fill=\"{StageColors[i % StageColors.Length]}\"><title>{E(stage)}: {count:N0} reached</title></rect>");
            var textFill = width > 70 ? "#ffffff" : "#0f172a";
            var textX = width > 70 ? labelWidth + barArea / 2.0 : x + width + 36;
            html.AppendLine(Inv, $"<text x=\"{textX:F1}\" y=\"{y + BarHeight / 2 + 5}\" font-size=\"15\" text-anchor=\"middle\" fill=\"{textFill}\">{count:N0}</text>");
            if (i > 0)
            {
                var conversion = overall.Conversions[i - 1];
                html.AppendLine(Inv, $"<text x=\"{labelWidth + barArea / 2.0:F1}\" y=\"{y - 6}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#475569\">▼ {E(FunnelTable.Percent(conversion.Rate))}</text>");
            }
        }

        html.AppendLine("</svg>");
    }

    private static void AppendStageTable(StringBuilder html, FunnelSummary overall)
    {
        html.AppendLine("<table id=\"funnel-table\"><tr><th>stage</th><th>contacts</th><th>reached</th><th>conversion</th></tr>");
        foreach (var (status, count) in overall.ByStatus)
        {
            var reached = overall.Reached.FirstOrDefault(r => r.Stage == status);
            var conversion = overall.Conversions.FirstOrDefault(c => c.To == status);
            if (reached.Stage is null)
            {
                html.AppendLine(Inv, $"<tr class=\"off\"><td>{E(status)}</td><td>{count:N0}</td><td></td><td></td></tr>");
            }
            else
            {
                var rate = conversion is null ? "" : $"{conversion.From}→{conversion.To}: {FunnelTable.Percent(conversion.Rate)}";
                html.AppendLine(Inv, $"<tr><td>{E(status)}</td><td>{count:N0}</td><td>{reached.Count:N0}</td><td>{E(rate)}</td></tr>");
            }
        }

        html.AppendLine("</table>");
    }

    private static void AppendGroups(StringBuilder html, string title, IReadOnlyList<FunnelSummary> groups)
    {
        html.AppendLine(Inv, $"<div class=\"card\"><h2>{E(title)}</h2><table>");
        html.Append("<tr><th>group</th><th>contacts</th><th>leads</th>");
        foreach (var (_, _, header) in FunnelTable.KeyConversions)
        {
            html.Append(Inv, $"<th>{E(header)}</th>");
        }

        html.AppendLine("</tr>");
        foreach (var group in groups)
        {
            html.Append(Inv, $"<tr><td>{E(group.Name)}</td><td>{group.Total:N0}</td><td>{group.Reached.First(r => r.Stage == "lead").Count:N0}</td>");
            foreach (var (from, to, _) in FunnelTable.KeyConversions)
            {
                html.Append(Inv, $"<td>{E(FunnelTable.Percent(group.Conversion(from, to).Rate))}</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table></div>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
