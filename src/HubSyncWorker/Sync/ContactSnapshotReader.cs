using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using QualificationHistoryEntry = HubSyncWorker.Qualification.PropertyHistoryEntry;

namespace HubSyncWorker.Sync;

/// <summary>
/// Turns HubSpot records into the snapshots the policy evaluates, asking HubSpot for exactly the properties the policy reads.
/// </summary>
/// <remarks>
/// Conversion names live in the history of <c>recent_conversion_event_name</c>, and asking for history halves what one call can
/// return: a list page holds 50 instead of 100, and HubSpot refuses a batch read of more than 50 records with history (400 "The
/// maximum number of inputs supported in a batch request for property histories is 50"). So no path reads history with the
/// current values: a contact with at most two conversions has them all in <c>first_conversion_event_name</c> and
/// <c>recent_conversion_event_name</c>; only contacts with more have their history fetched, 50 per batch read.
/// </remarks>
internal sealed class ContactSnapshotReader
{
    internal const string ConversionCountProperty = "num_conversion_events";
    internal const string FirstConversionProperty = "first_conversion_event_name";
    internal const string RecentConversionProperty = "recent_conversion_event_name";

    /// <summary>HubSpot's most inputs of a batch read that asks for property history.</summary>
    internal const int HistoryBatchLimit = 50;

    private readonly IHubSpotCrmClient _client;
    private readonly ILogger _logger;

    public ContactSnapshotReader(IHubSpotCrmClient client, QualificationPolicy policy, ILogger<ContactSnapshotReader> logger)
    {
        _client = client;
        _logger = logger;
        HistoryProperties = policy.HistoryProperties;
        var properties = new List<string>(policy.RequiredProperties);
        if (HistoryProperties.Count > 0)
        {
            foreach (var name in (string[])[ConversionCountProperty, FirstConversionProperty, RecentConversionProperty])
            {
                if (!properties.Contains(name, StringComparer.Ordinal))
                {
                    properties.Add(name);
                }
            }
        }

        Properties = properties;
    }

    /// <summary>The current-value properties every read asks for.</summary>
    public IReadOnlyList<string> Properties { get; }

    /// <summary>The properties whose history the policy needs (conversion names).</summary>
    public IReadOnlyList<string> HistoryProperties { get; }

    /// <summary>
    /// Reads contacts by id (at most 100) with everything the policy needs: one batch read of their current values, then the
    /// conversion history of those with more than two conversions, 50 per read. A contact found by the first read but missing from
    /// its history read was deleted or merged in between: it counts as not found. The records of <see cref="BatchReadResult.Found"/>
    /// carry their history where they need it, so evaluate them with <c>historyIncluded: true</c>.
    /// </summary>
    public async Task<BatchReadResult> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var current = await _client.BatchReadContactsAsync(ids, Properties, [], cancellationToken);
        var needHistory = HistoryProperties.Count == 0 ? [] : current.Found.Where(c => ConversionCount(c) > 2).Select(c => c.Id).ToList();
        if (needHistory.Count == 0)
        {
            return current;
        }

        var histories = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<HubSpot.Contacts.PropertyHistoryEntry>>>(StringComparer.Ordinal);
        var notFound = new List<string>(current.NotFoundIds);
        var errors = new List<ContactError>(current.Errors);
        foreach (var chunk in needHistory.Chunk(HistoryBatchLimit))
        {
            var read = await _client.BatchReadContactsAsync(chunk, [RecentConversionProperty], HistoryProperties, cancellationToken);
            foreach (var record in read.Found)
            {
                histories[record.Id] = record.PropertiesWithHistory ?? new Dictionary<string, IReadOnlyList<HubSpot.Contacts.PropertyHistoryEntry>>();
            }

            notFound.AddRange(read.NotFoundIds);
            errors.AddRange(read.Errors);
        }

        var found = new List<HubSpotContact>(current.Found.Count);
        foreach (var contact in current.Found)
        {
            if (histories.TryGetValue(contact.Id, out var history))
            {
                found.Add(contact with { PropertiesWithHistory = history });
            }
            else if (ConversionCount(contact) <= 2)
            {
                found.Add(contact);
            }

            // Else its history read reported it not found or failed: it is in notFound or errors already.
        }

        return new BatchReadResult(found, notFound, errors);
    }

    /// <summary>
    /// Snapshots of <paramref name="contacts"/>. When <paramref name="historyIncluded"/> is false, contacts with more than two
    /// conversions get their history fetched first (one batch read per 50 of them).
    /// </summary>
    public async Task<IReadOnlyList<ContactSnapshot>> ToSnapshotsAsync(IReadOnlyList<HubSpotContact> contacts, bool historyIncluded, CancellationToken cancellationToken)
    {
        Dictionary<string, HubSpotContact>? withHistory = null;
        HashSet<string>? unreadable = null;
        if (!historyIncluded && HistoryProperties.Count > 0)
        {
            var needHistory = new List<string>();
            foreach (var contact in contacts)
            {
                if (ConversionCount(contact) > 2)
                {
                    needHistory.Add(contact.Id);
                }
            }

            if (needHistory.Count > 0)
            {
                withHistory = new Dictionary<string, HubSpotContact>(StringComparer.Ordinal);
                foreach (var chunk in needHistory.Chunk(HistoryBatchLimit))
                {
                    var read = await _client.BatchReadContactsAsync(chunk, [RecentConversionProperty], HistoryProperties, cancellationToken);
                    foreach (var found in read.Found)
                    {
                        withHistory[found.Id] = found;
                    }

                    foreach (var error in read.Errors)
                    {
                        // An error tied to no contact leaves every one of this chunk in doubt.
                        (unreadable ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(error.ContactId is { } id ? [id] : chunk);
                    }
                }
            }
        }

        var snapshots = new List<ContactSnapshot>(contacts.Count);
        foreach (var contact in contacts)
        {
            if (unreadable is not null && unreadable.Contains(contact.Id) && !withHistory!.ContainsKey(contact.Id))
            {
                // Its conversions beyond the first and the latest are unknown this time: evaluated on fewer of them, it could be
                // scored lower than it is and that written back. Left as HubSpot has it until its next change or resync.
                continue;
            }

            var history = historyIncluded ? contact.PropertiesWithHistory
                : withHistory is not null && withHistory.TryGetValue(contact.Id, out var read) ? read.PropertiesWithHistory
                : null;
            // Up to two conversions, both paths take the names from first/recent (so a resync and a webhook always agree);
            // beyond that, both read the history.
            snapshots.Add(history is not null && HistoryProperties.Count > 0 && ConversionCount(contact) > 2
                ? WithFirstConversion(ContactSnapshot.FromHubSpot(contact.Id, contact.Properties, Convert(history)), contact)
                : new ContactSnapshot(contact.Id, contact.Properties, ConversionNamesWithoutHistory(contact)));
        }

        if (unreadable is not null)
        {
            SnapshotLog.HistoryUnreadable(_logger, contacts.Count - snapshots.Count);
        }

        return snapshots;
    }

    /// <summary>All conversion names of a contact with at most two conversions, from the first and the most recent one.</summary>
    internal static IReadOnlyList<string> ConversionNamesWithoutHistory(HubSpotContact contact)
    {
        var first = contact.GetProperty(FirstConversionProperty);
        var recent = contact.GetProperty(RecentConversionProperty);
        var count = ConversionCount(contact);
        return (string.IsNullOrWhiteSpace(first), string.IsNullOrWhiteSpace(recent)) switch
        {
            (true, true) => [],
            (false, true) => [first!],
            (true, false) => [recent!],
            _ when count >= 2 => [first!, recent!],
            _ when string.Equals(first, recent, StringComparison.Ordinal) => [recent!],
            _ => [first!, recent!],
        };
    }

    /// <summary>
    /// Makes the history path agree with the list path: when the history of <c>recent_conversion_event_name</c> holds fewer names than
    /// <c>num_conversion_events</c> and lacks the first conversion (a history that was truncated, or a contact imported with its
    /// conversion properties set once), the first conversion is put back at the start. Without this a resync and a webhook would
    /// decide differently for the same contact and overwrite each other's values.
    /// </summary>
    internal static ContactSnapshot WithFirstConversion(ContactSnapshot snapshot, HubSpotContact contact)
    {
        var first = contact.GetProperty(FirstConversionProperty);
        var names = snapshot.ConversionNames;
        if (string.IsNullOrWhiteSpace(first) || names.Count >= ConversionCount(contact)
            || (names.Count > 0 && string.Equals(names[0], first, StringComparison.Ordinal)))
        {
            return snapshot;
        }

        return snapshot with { ConversionNames = [first, .. names] };
    }

    private static int ConversionCount(HubSpotContact contact) =>
        int.TryParse(contact.GetProperty(ConversionCountProperty), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count
        : double.TryParse(contact.GetProperty(ConversionCountProperty), NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? (int)real
        : 0;

    private static Dictionary<string, IReadOnlyList<QualificationHistoryEntry>> Convert(IReadOnlyDictionary<string, IReadOnlyList<HubSpot.Contacts.PropertyHistoryEntry>> history)
    {
        var converted = new Dictionary<string, IReadOnlyList<QualificationHistoryEntry>>(history.Count, StringComparer.Ordinal);
        foreach (var (name, entries) in history)
        {
            var list = new QualificationHistoryEntry[entries.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                list[i] = new QualificationHistoryEntry(entries[i].Value, entries[i].Timestamp?.ToString("O", CultureInfo.InvariantCulture));
            }

            converted[name] = list;
        }

        return converted;
    }
}

internal static partial class SnapshotLog
{
    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "HubSpot could not read the conversion history of {Count} contacts; they are not evaluated this time (their next change or resync does)")]
    public static partial void HistoryUnreadable(ILogger logger, int count);
}
