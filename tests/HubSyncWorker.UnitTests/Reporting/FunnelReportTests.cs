using HubSyncWorker.Qualification;
using HubSyncWorker.Reporting;
using HubSyncWorker.Sync;

namespace HubSyncWorker.UnitTests.Reporting;

public sealed class FunnelReportTests
{
    /// <summary>100 contacts: 10 contacts, 60 leads, 10 MQLs, 5 SQLs, 3 opportunities, 2 customers, 1 evangelist, 4 disqualified, 5 recycled.</summary>
    internal static FunnelReport Known() => new("Known portal", new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), DryRun: false,
    [
        new("contact", "organic:none", 10),
        new("lead", "organic:newsletter", 40),
        new("lead", "paid_social:none", 20),
        new("mql", "organic:content", 10),
        new("sql", "organic:demo", 5),
        new("opportunity", "organic:demo", 3),
        new("customer", "referral:demo", 2),
        new("evangelist", "referral:demo", 1),
        new("disqualified", "direct:demo", 4),
        new("recycled", "organic:newsletter", 5),
    ], []);

    [Fact]
    public void Overall_KnownCounts_ReachedCountsEveryLaterStageAndRecycledAsMql()
    {
        var overall = Known().Overall();

        Assert.Equal(100, overall.Total);
        Assert.Equal(
            [("contact", 100L), ("lead", 86L), ("mql", 26L), ("sql", 11L), ("opportunity", 6L), ("customer", 3L), ("evangelist", 1L)],
            overall.Reached);
        Assert.Equal([("contact", 10L), ("lead", 60L), ("mql", 10L), ("sql", 5L), ("opportunity", 3L), ("customer", 2L), ("evangelist", 1L), ("disqualified", 4L), ("recycled", 5L)],
            overall.ByStatus);
    }

    [Theory]
    [InlineData("contact", "lead", 100, 86, 0.86)]
    [InlineData("lead", "mql", 86, 26, 26.0 / 86)]
    [InlineData("mql", "sql", 26, 11, 11.0 / 26)]
    [InlineData("sql", "opportunity", 11, 6, 6.0 / 11)]
    [InlineData("opportunity", "customer", 6, 3, 0.5)]
    [InlineData("customer", "evangelist", 3, 1, 1.0 / 3)]
    public void Overall_KnownCounts_ConversionBetweenConsecutiveStages(string from, string to, long fromReached, long toReached, double rate)
    {
        var conversion = Known().Overall().Conversion(from, to);

        Assert.Equal(fromReached, conversion.FromReached);
        Assert.Equal(toReached, conversion.ToReached);
        Assert.Equal(rate, conversion.Rate!.Value, 10);
    }

    [Fact]
    public void By_Source_EachSourceHasItsOwnRatesLargestFirst()
    {
        var sources = Known().By(FunnelDimension.Source);

        Assert.Equal(["organic", "paid_social", "direct", "referral"], sources.Select(s => s.Name));
        var organic = sources[0];
        Assert.Equal(73, organic.Total);
        Assert.Equal(23.0 / 63, organic.Conversion("lead", "mql").Rate!.Value, 10);
        Assert.Equal(8.0 / 23, organic.Conversion("mql", "sql").Rate!.Value, 10);
        Assert.Equal(3.0 / 8, organic.Conversion("sql", "opportunity").Rate!.Value, 10);
        Assert.Equal(0, sources[1].Conversion("lead", "mql").Rate);
        Assert.Null(sources[1].Conversion("mql", "sql").Rate);
        Assert.Null(sources[2].Conversion("lead", "mql").Rate);
        Assert.Equal(1, sources[3].Conversion("sql", "opportunity").Rate);
    }

    [Fact]
    public void By_Offer_GroupsBucketsByTheirFirstConvertingOffer()
    {
        var offers = Known().By(FunnelDimension.Offer);

        Assert.Equal([("newsletter", 45L), ("none", 30L), ("demo", 15L), ("content", 10L)], offers.Select(o => (o.Name, o.Total)));
        Assert.Equal(5.0 / 45, offers[0].Conversion("lead", "mql").Rate!.Value, 10);
    }

    [Fact]
    public void WithTransitions_LiveDecisions_MoveContactsFromTheirOldStatusToTheNewOne()
    {
        var after = Known().WithTransitions(
        [
            new FunnelTransition(SyncReport.NoStatus, "lead", "organic:newsletter", 2),
            new FunnelTransition("lead", "mql", "organic:newsletter", 3),
            new FunnelTransition("mql", "sql", "organic:content", 1),
            new FunnelTransition("customer", "evangelist", "referral:demo", 1),
        ]);

        Assert.Equal(102, after.Total);
        Assert.Equal(39, after.Counts.Single(c => c.Status == "lead" && c.SourceBucket == "organic:newsletter").Count);
        Assert.Equal(3, after.Counts.Single(c => c.Status == "mql" && c.SourceBucket == "organic:newsletter").Count);
        Assert.Equal(12, after.CountOf("mql"));
        Assert.Equal(1, after.Counts.Single(c => c.Status == "sql" && c.SourceBucket == "organic:content").Count);
        Assert.Equal(1, after.CountOf("customer"));
        Assert.Equal(2, after.CountOf("evangelist"));
    }

    [Fact]
    public void WithTransitions_BucketChangedWithTheDecision_TakesTheContactFromItsSourcesBucket()
    {
        // A contact converted for the first time: it was a lead in paid_social:none and is now an MQL in paid_social:content.
        var after = Known().WithTransitions([new FunnelTransition("lead", "mql", "paid_social:content", 1)]);

        Assert.Equal(19, after.Counts.Single(c => c.Status == "lead" && c.SourceBucket == "paid_social:none").Count);
        Assert.Equal(40, after.Counts.Single(c => c.Status == "lead" && c.SourceBucket == "organic:newsletter").Count);
        Assert.Equal(1, after.Counts.Single(c => c.Status == "mql" && c.SourceBucket == "paid_social:content").Count);
        Assert.Equal(100, after.Total);
    }

    [Fact]
    public void FromSyncReport_Decisions_CountPerStatusAndBucketWithSamples()
    {
        var report = new SyncReport(samplesPerTransition: 1);
        report.Record(null, Decision("1", QualificationStatus.Lead, "organic:newsletter"), Plan("1", changes: true));
        report.Record(null, Decision("2", QualificationStatus.Lead, "organic:newsletter"), Plan("2", changes: true));
        report.Record("lead", Decision("3", QualificationStatus.Mql, "email:content"), Plan("3", changes: true));
        report.Record("sql", Decision("4", QualificationStatus.Sql, "organic:demo"), Plan("4", changes: false));

        var funnel = FunnelReport.FromSyncReport(report, "Resync", DateTimeOffset.UnixEpoch, dryRun: true);

        Assert.Equal([new FunnelCount("lead", "organic:newsletter", 2), new FunnelCount("mql", "email:content", 1), new FunnelCount("sql", "organic:demo", 1)], funnel.Counts);
        Assert.True(funnel.DryRun);
        Assert.Equal(["1", "3"], funnel.Samples.Select(s => s.ContactId).Order(StringComparer.Ordinal));
        Assert.Equal("reason of 3", funnel.Samples.Single(s => s.ContactId == "3").Reason);
    }

    [Fact]
    public async Task FromResync_DryRunSavedAndReadBack_PrintsWhatTheWorkerWouldDecide()
    {
        var report = new SyncReport(samplesPerTransition: 0);
        report.Record(null, Decision("1", QualificationStatus.Mql, "organic:content"), Plan("1", changes: true));
        var result = new ResyncResult(ResyncOutcome.Completed, DryRun: true, 1, 1, WriteBackOutcome.None, 1, report, TimeSpan.FromSeconds(1));
        var path = Path.Combine(Path.GetTempPath(), $"hubsync-funnel-{Guid.NewGuid():N}", "funnel.json");

        await FunnelReport.FromResync(result, DateTimeOffset.UnixEpoch).SaveAsync(path, CancellationToken.None);
        var read = FunnelReport.FromJson(await File.ReadAllTextAsync(path));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

        Assert.Equal([new FunnelCount("mql", "organic:content", 1)], read.Counts);
        Assert.StartsWith("Full resync funnel: 1 contacts (dry run: what the worker would decide)", FunnelTable.Render(read), StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_ThenFromJson_GivesTheSameFunnel()
    {
        var known = Known() with { Samples = [new FunnelSample("7", "lead", "mql", "organic:content", "MQL: fit 80, engagement 45")] };

        var read = FunnelReport.FromJson(known.ToJson());

        Assert.Equal(known.Counts, read.Counts);
        Assert.Equal(known.Samples, read.Samples);
        Assert.Equal(known.Title, read.Title);
        Assert.Equal(known.GeneratedAt, read.GeneratedAt);
        Assert.Equal(FunnelTable.Render(known), FunnelTable.Render(read));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"title\":\"x\",\"counts\":[{\"status\":\"promoted\",\"sourceBucket\":\"a:b\",\"count\":1}]}")]
    [InlineData("{\"title\":\"x\",\"counts\":[{\"status\":\"lead\",\"sourceBucket\":\"a:b\",\"count\":-1}]}")]
    [InlineData("{\"counts\":[]}")]
    public void FromJson_NotAFunnelReport_ThrowsFormatExceptionSayingWhy(string json)
    {
        var error = Assert.Throws<FormatException>(() => FunnelReport.FromJson(json));

        Assert.Contains("funnel report", error.Message, StringComparison.Ordinal);
    }

    private static QualificationDecision Decision(string id, QualificationStatus status, string bucket) =>
        new(id, 80, 45, 62, status, null, false, null, bucket, [], "reason of " + id, null, null, "v1");

    private static WriteBackPlan Plan(string id, bool changes) =>
        new(id, changes ? new Dictionary<string, string> { ["hubsync_status"] = "x" } : new Dictionary<string, string>(), false);
}
