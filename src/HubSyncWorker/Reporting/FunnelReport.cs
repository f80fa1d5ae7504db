using System.Text.Json;
using System.Text.Json.Serialization;
using HubSyncWorker.Sync;

namespace HubSyncWorker.Reporting;

/// <summary>Contacts with one worker status in one source bucket (<c>source:offer</c>).</summary>
internal sealed record FunnelCount(string Status, string SourceBucket, int Count);

/// <summary>An example contact in the report, with the reason the worker gave.</summary>
internal sealed record FunnelSample(string ContactId, string From, string To, string SourceBucket, string Reason);

/// <summary>A change of one contact's worker status seen after a report was taken (the demo's live activity).</summary>
internal sealed record FunnelTransition(string From, string To, string SourceBucket, int Count);

/// <summary>How the report groups source buckets: by original source (<c>organic</c>), by first converting offer (<c>demo</c>), or whole buckets.</summary>
internal enum FunnelDimension
{
    Source,
    Offer,
    Bucket,
}

/// <summary>Conversion between two consecutive funnel stages: <see cref="To"/> reached over <see cref="From"/> reached.</summary>
internal sealed record FunnelConversion(string From, string To, long FromReached, long ToReached)
{
    /// <summary>ToReached / FromReached, or null when nobody reached <see cref="From"/>.</summary>
    public double? Rate => FromReached == 0 ? null : (double)ToReached / FromReached;
}

/// <summary>The funnel of one group of contacts (all of them, or one source / offer).</summary>
/// <param name="Name">The group (<c>all</c>, <c>organic</c>, <c>demo</c>, ...).</param>
/// <param name="Total">Contacts in the group.</param>
/// <param name="ByStatus">Contacts per status, in <see cref="FunnelReport.Statuses"/> order.</param>
/// <param name="Reached">Contacts that reached each ordered funnel stage (<see cref="FunnelReport.FunnelStages"/>), in order.</param>
/// <param name="Conversions">Conversion between each pair of consecutive funnel stages.</param>
internal sealed record FunnelSummary(string Name, long Total, IReadOnlyList<(string Status, long Count)> ByStatus, IReadOnlyList<(string Stage, long Count)> Reached, IReadOnlyList<FunnelConversion> Conversions)
{
    public FunnelConversion Conversion(string from, string to) => Conversions.Single(c => c.From == from && c.To == to);
}

/// <summary>
/// The lead funnel of a portal as the worker decided it: contacts per status and source bucket, taken from a sync run's decisions
/// (a <see cref="SyncReport"/>), never from a second pass over HubSpot. Saved as JSON by a resync and read back by the <c>report</c> verb.
/// </summary>
/// <remarks>
/// "Reached a stage" counts every contact whose status is that stage or a later one of the ordered funnel
/// (contact → lead → mql → sql → opportunity → customer → evangelist). A <c>recycled</c> contact was an MQL, so it counts as having
/// reached contact, lead and mql. A <c>disqualified</c> contact counts only as a contact: it left the funnel.
/// </remarks>
internal sealed record FunnelReport(string Title, DateTimeOffset GeneratedAt, bool DryRun, IReadOnlyList<FunnelCount> Counts, IReadOnlyList<FunnelSample> Samples)
{
    /// <summary>Every worker status, in the order the table lists them.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["contact", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "disqualified", "recycled"];

    /// <summary>The ordered funnel (the statuses a contact climbs through).</summary>
    public static readonly IReadOnlyList<string> FunnelStages = ["contact", "lead", "mql", "sql", "opportunity", "customer", "evangelist"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The funnel after a sync run: one count per status and source bucket the run decided, and its example contacts.</summary>
    public static FunnelReport FromSyncReport(SyncReport report, string title, DateTimeOffset generatedAt, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(report);
        var counts = report.Funnel().Select(f => new FunnelCount(f.Status, f.Source, f.Count)).ToList();
        var samples = report.Samples().Select(s => new FunnelSample(s.ContactId, s.From, s.To, s.SourceBucket, s.Reason)).ToList();
        return new FunnelReport(title, generatedAt, dryRun, Normalize(counts), samples);
    }

    /// <summary>
    /// The funnel of a full resync (what <c>resync --out funnel.json</c> saves): every contact the run evaluated, with its status and
    /// source bucket. A resync resumed from a checkpoint covers only the contacts of this run.
    /// </summary>
    public static FunnelReport FromResync(ResyncResult result, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        return FromSyncReport(result.Report, "Full resync funnel", generatedAt, result.DryRun);
    }

    /// <summary>
    /// The funnel after further status changes (e.g. the queue path's decisions after a resync): each transition moves contacts from
    /// their old status to their new one. A transition from <see cref="SyncReport.NoStatus"/> adds a contact new to the worker.
    /// The old status is taken from the transition's bucket, or, when the contact's bucket changed with it (its first conversion),
    /// from the same source's bucket that holds most contacts of that status.
    /// </summary>
    public FunnelReport WithTransitions(IEnumerable<FunnelTransition> transitions, IEnumerable<FunnelSample>? samples = null)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        var counts = Counts.ToDictionary(c => (c.Status, c.SourceBucket), c => c.Count);
        foreach (var transition in transitions)
        {
            if (transition.From != SyncReport.NoStatus)
            {
                var key = (transition.From, transition.SourceBucket);
                if (counts.GetValueOrDefault(key) < transition.Count)
                {
                    var source = SourceOf(transition.SourceBucket);
                    key = counts.Where(c => c.Key.Status == transition.From && c.Value >= transition.Count)
                        .OrderByDescending(c => SourceOf(c.Key.SourceBucket) == source)
                        .ThenByDescending(c => c.Value)
                        .ThenBy(c => c.Key.SourceBucket, StringComparer.Ordinal)
                        .Select(c => c.Key)
                        .FirstOrDefault(key);
                }

                counts[key] = counts.GetValueOrDefault(key) - transition.Count;
            }

            var to = (transition.To, transition.SourceBucket);
            counts[to] = counts.GetValueOrDefault(to) + transition.Count;
        }

        var merged = counts.Select(c => new FunnelCount(c.Key.Status, c.Key.SourceBucket, c.Value)).ToList();
        return this with { Counts = Normalize(merged), Samples = [.. Samples, .. samples ?? []] };
    }

    /// <summary>All contacts in the report.</summary>
    [JsonIgnore]
    public long Total => Counts.Sum(c => (long)c.Count);

    /// <summary>The source part of a bucket (<c>organic</c> of <c>organic:demo</c>).</summary>
    public static string SourceOf(string bucket) => bucket.Split(':', 2)[0];

    /// <summary>The offer part of a bucket (<c>demo</c> of <c>organic:demo</c>; <c>none</c> when the bucket has no offer part).</summary>
    public static string OfferOf(string bucket) => bucket.Split(':', 2) is [_, var offer] ? offer : "none";

    /// <summary>The funnel of every contact.</summary>
    public FunnelSummary Overall() => Summarize("all", Counts);

    /// <summary>The funnel of each group of <paramref name="dimension"/>, largest group first (ties by name).</summary>
    public IReadOnlyList<FunnelSummary> By(FunnelDimension dimension)
    {
        Func<string, string> group = dimension switch
        {
            FunnelDimension.Source => SourceOf,
            FunnelDimension.Offer => OfferOf,
            _ => static bucket => bucket,
        };
        return [.. Counts.GroupBy(c => group(c.SourceBucket), StringComparer.Ordinal)
            .Select(g => Summarize(g.Key, [.. g]))
            .OrderByDescending(s => s.Total)
            .ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>Contacts with <paramref name="status"/> (in every bucket).</summary>
    public long CountOf(string status) => Counts.Where(c => c.Status == status).Sum(c => (long)c.Count);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a funnel report.</exception>
    public static FunnelReport FromJson(string json)
    {
        try
        {
            var report = JsonSerializer.Deserialize<FunnelReport>(json, Json);
            if (report?.Counts is null || report.Title is null)
            {
                throw new FormatException("The file is not a funnel report (no title or counts).");
            }

            if (report.Counts.FirstOrDefault(c => c.Count < 0 || !Statuses.Contains(c.Status) || string.IsNullOrEmpty(c.SourceBucket)) is { } bad)
            {
                throw new FormatException($"The funnel report has an invalid count: status '{bad.Status}', bucket '{bad.SourceBucket}', count {bad.Count}.");
            }

            return report with { Samples = report.Samples ?? [] };
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The file is not a funnel report: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the report as JSON to <paramref name="path"/> (creating its folder): what <c>resync --out</c> saves.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        await OutputFile.WriteAllTextAsync(path, ToJson(), cancellationToken);
    }

    private static FunnelSummary Summarize(string name, IReadOnlyCollection<FunnelCount> counts)
    {
        var byStatus = Statuses.Select(s => (s, counts.Where(c => c.Status == s).Sum(c => (long)c.Count))).ToList();
        long Of(string status) => byStatus.First(b => b.Item1 == status).Item2;

        var reached = new List<(string, long)>(FunnelStages.Count);
        for (var i = 0; i < FunnelStages.Count; i++)
        {
            var atOrBeyond = FunnelStages.Skip(i).Sum(Of);
            var stage = FunnelStages[i];
            if (stage is "contact" or "lead" or "mql")
            {
                atOrBeyond += Of("recycled");
            }

            if (stage == "contact")
            {
                atOrBeyond += Of("disqualified");
            }

            reached.Add((stage, atOrBeyond));
        }

        var conversions = new List<FunnelConversion>(FunnelStages.Count - 1);
        for (var i = 1; i < reached.Count; i++)
        {
            conversions.Add(new FunnelConversion(reached[i - 1].Item1, reached[i].Item1, reached[i - 1].Item2, reached[i].Item2));
        }

        return new FunnelSummary(name, counts.Sum(c => (long)c.Count), byStatus, reached, conversions);
    }

    /// <summary>Drops empty counts and orders by status, then bucket, so equal funnels serialise equally.</summary>
    private static List<FunnelCount> Normalize(IEnumerable<FunnelCount> counts) =>
        [.. counts.Where(c => c.Count != 0)
            .OrderBy(c => Statuses.Contains(c.Status) ? Statuses.ToList().IndexOf(c.Status) : int.MaxValue)
            .ThenBy(c => c.Status, StringComparer.Ordinal)
            .ThenBy(c => c.SourceBucket, StringComparer.Ordinal)];
}
