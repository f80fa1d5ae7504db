using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Insights;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Insights;
using PropertyHistoryEntry = HubSyncWorker.HubSpot.Contacts.PropertyHistoryEntry;

namespace HubSyncWorker.UnitTests.Insights;

public sealed class ContactHistoryTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly StageValues Stages = StageValues.Of(QualificationPolicy.CompileDefault());

    [Fact]
    public void AtCutoff_ValueChangedAfterTheCutoff_KeepsTheValueItHadThen()
    {
        var history = History(("jobtitle", [("Student", Day1.AddDays(40)), ("VP Marketing", Day1)]));

        var snapshot = ContactHistory.AtCutoff("1", history, Day1.AddDays(10));

        Assert.Equal("VP Marketing", snapshot.Get("jobtitle"));
    }

    [Fact]
    public void AtCutoff_PropertySetOnlyAfterTheCutoff_IsUnset()
    {
        var history = History(("industry", [("SOFTWARE", Day1.AddDays(20))]));

        var snapshot = ContactHistory.AtCutoff("1", history, Day1.AddDays(10));

        Assert.Null(snapshot.Get("industry"));
    }

    [Fact]
    public void AtCutoff_VersionAtTheCutoffItself_Counts()
    {
        var history = History(("numemployees", [("200", Day1)]));

        Assert.Equal("200", ContactHistory.AtCutoff("1", history, Day1).Get("numemployees"));
    }

    [Fact]
    public void AtCutoff_ConversionsAfterTheCutoff_AreLeftOut()
    {
        var history = History(
            ("recent_conversion_event_name", [("Request a demo", Day1.AddDays(30)), ("Whitepaper", Day1.AddDays(5)), ("Newsletter", Day1)]),
            ("first_conversion_event_name", [("Newsletter", Day1)]),
            ("num_conversion_events", [("3", Day1.AddDays(30)), ("2", Day1.AddDays(5)), ("1", Day1)]));

        var snapshot = ContactHistory.AtCutoff("1", history, Day1.AddDays(10));

        Assert.Equal(["Newsletter", "Whitepaper"], snapshot.ConversionNames);
        Assert.Equal("2", snapshot.Get("num_conversion_events"));
    }

    [Fact]
    public void AtCutoff_EmptiedBeforeTheCutoff_IsUnset()
    {
        var history = History(("jobtitle", [("", Day1.AddDays(2)), ("CEO", Day1)]));

        Assert.Null(ContactHistory.AtCutoff("1", history, Day1.AddDays(3)).Get("jobtitle"));
    }

    [Fact]
    public void FromLifecycleHistory_StagesInOrder_TakesTheFirstTimeEachAppears()
    {
        var versions = Versions([("customer", Day1.AddDays(50)), ("salesqualifiedlead", Day1.AddDays(20)), ("lead", Day1.AddDays(15)),
            ("marketingqualifiedlead", Day1.AddDays(10)), ("lead", Day1)]);

        var dates = ContactHistory.FromLifecycleHistory(versions, Stages);

        Assert.Equal(new StageEntryDates(Day1, Day1.AddDays(10), Day1.AddDays(20), null, Day1.AddDays(50)), dates);
        Assert.Equal(Day1.AddDays(10), dates.Qualified);
    }

    [Fact]
    public void FromEnteredDates_HubSpotsCalculatedDates_AreRead()
    {
        var contact = new HubSpotContact
        {
            Id = "7",
            Properties = new Dictionary<string, string?>
            {
                ["hs_v2_date_entered_lead"] = "2026-03-01T09:00:00.000Z",
                ["hs_v2_date_entered_salesqualifiedlead"] = "2026-03-21T09:00:00.000Z",
            },
        };

        var dates = ContactHistory.FromEnteredDates(contact, Stages);

        Assert.Equal(new StageEntryDates(Day1, null, Day1.AddDays(20), null, null), dates);
    }

    [Fact]
    public void FromEnteredDates_AllEmpty_IsNullSoTheLifecycleHistoryIsRead()
    {
        Assert.Null(ContactHistory.FromEnteredDates(new HubSpotContact { Id = "7" }, Stages));
    }

    private static Dictionary<string, IReadOnlyList<PropertyHistoryEntry>> History(params (string Name, (string Value, DateTimeOffset At)[] Versions)[] properties) =>
        properties.ToDictionary(p => p.Name, p => Versions(p.Versions), StringComparer.Ordinal);

    private static IReadOnlyList<PropertyHistoryEntry> Versions((string Value, DateTimeOffset At)[] versions) =>
        [.. versions.Select(v => new PropertyHistoryEntry { Value = v.Value, Timestamp = v.At })];
}
