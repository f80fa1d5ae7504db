using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using HistoryEntry = HubSyncWorker.HubSpot.Contacts.PropertyHistoryEntry;

namespace HubSyncWorker.UnitTests.Sync;

/// <summary>
/// A contact evaluated from its kept conversion-history value must be decided exactly as when its history is read, or the paths
/// that read history and those that do not would overwrite each other's values.
/// </summary>
public sealed class ConversionHistoryDigestTests
{
    private const string DigestProperty = "hubsync_conversion_history";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    // Names that hit every conversion rule, the hand-raiser keywords and each offer bucket, names that hit nothing, and names with
    // characters a compact encoding could get wrong (quotes, brackets, commas, accents, a non-Latin script).
    private static readonly string[] Names =
    [
        "Newsletter signup", "Ebook: lead scoring", "Webinar replay", "Request a demo", "Contact us", "Pricing page form", "Free trial",
        "Livre blanc \"IA\" [2026]", "Démo produit, équipe", "Case study — Acme", "video tour", "見積もり依頼", "Quote request", "Guide", "",
    ];

    private static readonly QualificationPolicy Policy = QualificationPolicy.CompileDefault();

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ToSnapshot_FromTheKeptValue_DecidesExactlyAsFromTheHistory(int seed)
    {
        var random = new Random(seed);
        var reader = new ContactSnapshotReader(NoCallsClient.Create(), Policy, NullLogger<ContactSnapshotReader>.Instance);
        Assert.Equal(DigestProperty, reader.ConversionHistoryProperty);
        for (var i = 0; i < 50; i++)
        {
            var (properties, history) = GenerateContact(random);
            var withHistory = new HubSpotContact { Id = "1", Properties = properties, PropertiesWithHistory = new Dictionary<string, IReadOnlyList<HistoryEntry>> { ["recent_conversion_event_name"] = history } };
            var read = reader.ToSnapshot(withHistory);
            Assert.NotNull(read.ConversionHistory);

            // The next sync lists the same contact, now holding the value the first one wrote, and reads no history.
            var kept = new Dictionary<string, string?>(properties) { [DigestProperty] = read.ConversionHistory };
            var listed = new HubSpotContact { Id = "1", Properties = kept };
            Assert.False(reader.NeedsHistory(listed));
            var fromKept = reader.ToSnapshot(listed);

            var fromHistory = read.Snapshot with { Properties = kept };
            Assert.Equal(Describe(fromHistory), Describe(fromKept.Snapshot));
            Assert.Null(fromKept.ConversionHistory);
        }
    }

    [Theory]
    [InlineData("3", "4", true)]
    [InlineData("4", "4", false)]
    [InlineData("2", "4", false)]
    public void NeedsHistory_ConversionCountMovedSinceTheValueWasKept_OnlyThenReadsTheHistory(string keptAt, string current, bool expected)
    {
        var reader = new ContactSnapshotReader(NoCallsClient.Create(), Policy, NullLogger<ContactSnapshotReader>.Instance);
        var value = ConversionHistoryDigest.Format(int.Parse(keptAt, CultureInfo.InvariantCulture), ["Newsletter signup", "Request a demo", "Guide"]);
        var contact = new HubSpotContact { Id = "1", Properties = new Dictionary<string, string?> { ["num_conversion_events"] = current, [DigestProperty] = value } };

        // Up to two conversions never need the history; above, only a value kept at the current count spares it.
        Assert.Equal(expected || (current != keptAt && int.Parse(current, CultureInfo.InvariantCulture) > 2), reader.NeedsHistory(contact));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("edited by hand")]
    [InlineData("{\"v\":2,\"at\":4,\"names\":[]}")]
    [InlineData("{\"v\":1,\"at\":4,\"names\":[[\"Guide\",2147483647]]}")]
    [InlineData("{\"v\":1,\"at\":4,\"names\":[[\"Guide\"]]}")]
    public void TryRead_NotAValueThisVersionWrote_IsTreatedAsAbsent(string? value)
    {
        Assert.False(ConversionHistoryDigest.TryRead(value, 4, out _));
    }

    [Fact]
    public void Format_NamesTooLongToKeep_KeepsNothing()
    {
        var names = Enumerable.Range(0, 2000).Select(i => string.Create(CultureInfo.InvariantCulture, $"A distinct form name number {i}")).ToList();

        Assert.Null(ConversionHistoryDigest.Format(names.Count, names));
    }

    [Fact]
    public void Format_RepeatedNames_KeepsEachOnceWithItsCountAndTheFirstConversionFirst()
    {
        var value = ConversionHistoryDigest.Format(5, ["Guide", "Request a demo", "Guide", "Démo", "Guide"]);

        Assert.Equal("{\"v\":1,\"at\":5,\"names\":[[\"Guide\",3],[\"Request a demo\",1],[\"Démo\",1]]}", value);
        Assert.True(ConversionHistoryDigest.TryRead(value, 5, out var names));
        Assert.Equal(["Guide", "Guide", "Guide", "Request a demo", "Démo"], names);
    }

    private static (Dictionary<string, string?> Properties, List<HistoryEntry> History) GenerateContact(Random random)
    {
        var conversions = random.Next(3, 13);
        var start = Now.AddDays(-random.Next(1, 400));
        var history = new List<HistoryEntry>();
        var at = start;
        for (var n = 0; n < conversions; n++)
        {
            // Some conversions share a timestamp (an import), some history entries are blank.
            at = random.Next(4) == 0 ? at : at.AddHours(random.Next(1, 200));
            history.Add(new HistoryEntry { Value = Names[random.Next(Names.Length)], Timestamp = at });
        }

        // HubSpot returns the newest version first; a truncated history (a contact imported with its conversions) lacks the oldest.
        history.Reverse();
        if (random.Next(5) == 0)
        {
            history.RemoveRange(history.Count - 2, 2);
        }

        var first = random.Next(6) switch
        {
            0 => null,
            1 => Names[random.Next(Names.Length)],
            _ => history[^1].Value,
        };
        var properties = new Dictionary<string, string?>
        {
            ["email"] = random.Next(3) == 0 ? "someone@gmail.com" : "someone@acme.io",
            ["firstname"] = "Ada",
            ["lastname"] = "Lovelace",
            ["company"] = "Acme",
            ["jobtitle"] = random.Next(2) == 0 ? "VP Marketing" : "Analyst",
            ["industry"] = random.Next(2) == 0 ? "COMPUTER_SOFTWARE" : "RETAIL",
            ["numemployees"] = random.Next(1, 500).ToString(CultureInfo.InvariantCulture),
            ["country"] = "France",
            ["hs_analytics_source"] = "ORGANIC_SEARCH",
            ["hs_analytics_num_visits"] = random.Next(0, 12).ToString(CultureInfo.InvariantCulture),
            ["hs_analytics_last_visit_timestamp"] = Now.AddDays(-random.Next(0, 150)).ToString("O", CultureInfo.InvariantCulture),
            ["hs_email_click"] = random.Next(0, 6).ToString(CultureInfo.InvariantCulture),
            ["num_conversion_events"] = (conversions + random.Next(0, 2)).ToString(CultureInfo.InvariantCulture),
            ["first_conversion_event_name"] = first,
            ["recent_conversion_event_name"] = history[0].Value,
            ["lifecyclestage"] = random.Next(3) == 0 ? "marketingqualifiedlead" : "lead",
            ["hs_lead_status"] = random.Next(5) == 0 ? "CONNECTED" : null,
        };
        return (properties, history);
    }

    /// <summary>Everything a decision and its write-back plan hold, as one comparable string.</summary>
    private static string Describe(ContactSnapshot snapshot)
    {
        var decision = Policy.Evaluate(snapshot, Now);
        var plan = Policy.ComputeChanges(snapshot, decision);
        var changes = string.Join("; ", plan.Changes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
        var fired = string.Join(", ", decision.FiredRules.Select(r => $"{r.RuleId}{r.Points:+0;-0}"));
        return $"{decision.Status} fit {decision.FitScore} engagement {decision.EngagementScore} score {decision.Score} bucket {decision.SourceBucket} "
            + $"stage {decision.TargetLifecycleStage} lead status {decision.LeadStatusToSet} mql {decision.MqlDate} [{fired}] {decision.Reason} | {changes} | {plan.ClearLifecycleStageFirst}";
    }

    /// <summary>Building snapshots calls no HubSpot endpoint. Not sealed: DispatchProxy derives from it.</summary>
#pragma warning disable CA1852
    private class NoCallsClient : System.Reflection.DispatchProxy
#pragma warning restore CA1852
    {
        public static IHubSpotCrmClient Create() => System.Reflection.DispatchProxy.Create<IHubSpotCrmClient, NoCallsClient>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"No HubSpot call expected ({targetMethod?.Name}).");
    }
}
