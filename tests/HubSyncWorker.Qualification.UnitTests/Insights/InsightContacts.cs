using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>Hand-built insight contacts, cut off at <see cref="ContactBuilder.Now"/> unless told.</summary>
internal static class InsightContacts
{
    public static DateTimeOffset Cutoff => ContactBuilder.Now;

    public static StageEntryDates Mql(DateTimeOffset at) => StageEntryDates.None with { Lead = at.AddDays(-10), Mql = at };

    public static StageEntryDates MqlThenSql(DateTimeOffset at) => Mql(at) with { Sql = at.AddDays(5) };

    public static InsightContact Of(
        ContactBuilder builder,
        StageEntryDates entered,
        DateTimeOffset? cutoff = null,
        RecordedScores? atMql = null,
        RecordedScores? atSql = null,
        string? source = null,
        string? offer = null,
        string id = "1") =>
        new(builder.Build(id), cutoff ?? Cutoff, entered, atMql, atSql, source, offer);
}
