using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sync;
using PropertyHistoryEntry = HubSyncWorker.HubSpot.Contacts.PropertyHistoryEntry;

namespace HubSyncWorker.Insights;

/// <summary>
/// What a contact's property history says about one moment in the past: its values then (the latest version at or before the
/// moment; nothing when no version is that old) and when it first entered each lifecycle stage. Pure: no HubSpot call.
/// </summary>
internal static class ContactHistory
{
    /// <summary>
    /// The contact as the policy would have seen it at <paramref name="cutoff"/>, from <paramref name="history"/> (newest first, as
    /// HubSpot returns it): each property's latest version with a timestamp at or before the cut-off, a property with no such version
    /// unset, and the conversion names from the versions of <c>recent_conversion_event_name</c> up to the cut-off. Today's values are
    /// never used: a property missing from the history had no value then either.
    /// </summary>
    public static ContactSnapshot AtCutoff(string id, IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryEntry>> history, DateTimeOffset cutoff)
    {
        ArgumentNullException.ThrowIfNull(history);
        var values = new Dictionary<string, string?>(history.Count, StringComparer.Ordinal);
        foreach (var (name, versions) in history)
        {
            if (ValueAt(versions, cutoff) is { } value)
            {
                values[name] = value;
            }
        }

        IReadOnlyList<string> conversions = [];
        if (history.TryGetValue(ContactSnapshot.ConversionHistoryProperty, out var recent))
        {
            conversions = ContactSnapshot.ConversionNamesFromHistory(recent
                .Where(v => v.Timestamp is { } at && at <= cutoff)
                .Select(v => new Qualification.PropertyHistoryEntry(v.Value, v.Timestamp!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture))));
        }

        // A history that starts after the first conversion (an import that set it once) still names it in first_conversion_event_name.
        var snapshot = new ContactSnapshot(id, values, conversions);
        return ContactSnapshotReader.WithFirstConversion(snapshot, new HubSpotContact { Id = id, Properties = values });
    }

    /// <summary>The value a property held at <paramref name="moment"/>: its latest non-empty version at or before it, or null.</summary>
    public static string? ValueAt(IReadOnlyList<PropertyHistoryEntry> versions, DateTimeOffset moment)
    {
        ArgumentNullException.ThrowIfNull(versions);
        PropertyHistoryEntry? latest = null;
        foreach (var version in versions)
        {
            // HubSpot lists newest first, but nothing here relies on it.
            if (version.Timestamp is { } at && at <= moment && (latest is null || at > latest.Timestamp))
            {
                latest = version;
            }
        }

        return string.IsNullOrEmpty(latest?.Value) ? null : latest.Value;
    }

    /// <summary>
    /// When the contact first entered each stage, from the versions of its lifecycle property: the first time each stage value
    /// appears (a contact that skipped a stage has no date for it).
    /// </summary>
    public static StageEntryDates FromLifecycleHistory(IReadOnlyList<PropertyHistoryEntry> versions, StageValues stages)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(stages);
        DateTimeOffset? First(string stage) => versions
            .Where(v => v.Timestamp is not null && string.Equals(v.Value, stage, StringComparison.Ordinal))
            .Select(v => v.Timestamp)
            .Min();
        return new StageEntryDates(First(stages.Lead), First(stages.Mql), First(stages.Sql), First(stages.Opportunity), First(stages.Customer));
    }

    /// <summary>The stage-entry dates HubSpot keeps in <c>hs_v2_date_entered_&lt;stage&gt;</c>, or null when all are empty.</summary>
    public static StageEntryDates? FromEnteredDates(HubSpotContact contact, StageValues stages)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(stages);
        DateTimeOffset? Entered(string stage) => HubSpotValues.ParseDateTime(contact.GetProperty(StageValues.EnteredProperty(stage)));
        var dates = new StageEntryDates(Entered(stages.Lead), Entered(stages.Mql), Entered(stages.Sql), Entered(stages.Opportunity), Entered(stages.Customer));
        return dates == StageEntryDates.None ? null : dates;
    }
}

/// <summary>The portal values of the stages the analysis dates (from the policy's <c>Lifecycle:Stages</c>), and the lifecycle property.</summary>
internal sealed record StageValues(string Property, string Lead, string Mql, string Sql, string Opportunity, string Customer, string Evangelist)
{
    /// <summary>HubSpot's own lifecycle property, the only one it keeps <c>hs_v2_date_entered_*</c> for.</summary>
    public const string HubSpotLifecycleProperty = "lifecyclestage";

    /// <summary>Whether HubSpot keeps stage-entry dates for this lifecycle property (a custom one has none: its history is read instead).</summary>
    public bool HasEnteredDates => string.Equals(Property, HubSpotLifecycleProperty, StringComparison.Ordinal);

    /// <summary>The five stages in funnel order.</summary>
    public IReadOnlyList<string> All => [Lead, Mql, Sql, Opportunity, Customer];

    /// <summary>The stages at or past MQL: a contact whose lifecycle holds one was qualified at some point.</summary>
    public IReadOnlyList<string> Qualified => [Mql, Sql, Opportunity, Customer, Evangelist];

    /// <summary>The calculated property holding when a contact first entered <paramref name="stage"/>.</summary>
    public static string EnteredProperty(string stage) => "hs_v2_date_entered_" + stage;

    /// <summary>The stages of <paramref name="policy"/>.</summary>
    public static StageValues Of(QualificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var stages = policy.Options.Lifecycle.Stages;
        return new StageValues(policy.LifecycleProperty, stages.Lead, stages.Mql, stages.Sql, stages.Opportunity, stages.Customer, stages.Evangelist);
    }
}
