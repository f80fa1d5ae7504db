using System.Globalization;
using System.Text;

namespace HubSyncWorker.Reporting;

/// <summary>The funnel as plain text (fixed-width columns, invariant culture): what the <c>report</c> and <c>demo</c> verbs print.</summary>
internal static class FunnelTable
{
    /// <summary>The conversions shown per source and per offer (the ones the qualification sources say leak).</summary>
    internal static readonly IReadOnlyList<(string From, string To, string Header)> KeyConversions =
    [
        ("lead", "mql", "lead→MQL"),
        ("mql", "sql", "MQL→SQL"),
        ("sql", "opportunity", "SQL→opp"),
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The stage table, then conversion rates by source and by offer (the largest <paramref name="maxGroups"/> groups each).</summary>
    public static string Render(FunnelReport report, int maxGroups = 10)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var overall = report.Overall();
        text.AppendLine(Inv, $"{report.Title}: {overall.Total:N0} contacts{(report.DryRun ? " (dry run: what the worker would decide)" : "")}");
        text.AppendLine();
        text.AppendLine(Inv, $"  {"stage",-14}{"contacts",9}{"reached",9}  conversion");
        foreach (var (status, count) in overall.ByStatus)
        {
            var reached = overall.Reached.FirstOrDefault(r => r.Stage == status);
            var line = reached.Stage is null
                ? string.Create(Inv, $"  {status,-14}{count,9:N0}{"",9}  {Note(status)}")
                : string.Create(Inv, $"  {status,-14}{count,9:N0}{reached.Count,9:N0}  {ConversionInto(overall, status)}");
            text.AppendLine(line.TrimEnd());
        }

        AppendGroups(text, "source", report.By(FunnelDimension.Source), maxGroups);
        AppendGroups(text, "offer", report.By(FunnelDimension.Offer), maxGroups);
        return text.ToString();
    }

    /// <summary>A rate as <c>52.5 %</c>, or <c>-</c> when nobody reached the earlier stage.</summary>
    public static string Percent(double? rate) => rate is { } r ? string.Create(Inv, $"{r * 100:F1} %") : "-";

    private static string ConversionInto(FunnelSummary summary, string stage)
    {
        var conversion = summary.Conversions.FirstOrDefault(c => c.To == stage);
        return conversion is null ? "" : string.Create(Inv, $"{conversion.From + "→" + conversion.To,-22}{Percent(conversion.Rate),8}");
    }

    private static string Note(string status) => status switch
    {
        "disqualified" => "left the funnel (competitor, bad address)",
        "recycled" => "MQLs gone cold, back to nurturing (count as reached mql)",
        _ => "",
    };

    private static void AppendGroups(StringBuilder text, string dimension, IReadOnlyList<FunnelSummary> groups, int maxGroups)
    {
        text.AppendLine();
        var header = new StringBuilder(string.Create(Inv, $"  {"by " + dimension,-14}{"contacts",9}{"leads",9}"));
        foreach (var (_, _, title) in KeyConversions)
        {
            header.Append(Inv, $"{title,11}");
        }

        text.AppendLine(header.ToString());
        foreach (var group in groups.Take(maxGroups))
        {
            var leads = group.Reached.First(r => r.Stage == "lead").Count;
            var line = new StringBuilder(string.Create(Inv, $"  {group.Name,-14}{group.Total,9:N0}{leads,9:N0}"));
            foreach (var (from, to, _) in KeyConversions)
            {
                line.Append(Inv, $"{Percent(group.Conversion(from, to).Rate),11}");
            }

            text.AppendLine(line.ToString());
        }

        if (groups.Count > maxGroups)
        {
            text.AppendLine(Inv, $"  ... and {groups.Count - maxGroups} more");
        }
    }
}
