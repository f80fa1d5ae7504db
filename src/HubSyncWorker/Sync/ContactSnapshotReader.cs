using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using QualificationHistoryEntry = HubSyncWorker.Qualification.PropertyHistoryEntry;

namespace HubSyncWorker.Sync;

/// <summary>A contact as the policy sees it, and the conversion-history digest it should hold (when its history was read now).</summary>
/// <param name="Snapshot">What the policy evaluates.</param>
/// <param name="ConversionHistory">The value of the hidden conversion-history property for the history just read; null when the
/// history was not read (or its digest is too long to keep).</param>
internal sealed record ReadSnapshot(ContactSnapshot Snapshot, string? ConversionHistory);

/// <summary>
/// Turns HubSpot records into the snapshots the policy evaluates, asking HubSpot for exactly the properties the policy reads.
/// </summary>
/// <remarks>
/// Conversion names live in the history of <c>recent_conversion_event_name</c>, and asking for history halves what one call can
/// return: a list page holds 50 instead of 100, and HubSpot refuses a batch read of more than 50 records with history (400 "The
/// maximum number of inputs supported in a batch request for property histories is 50"). So no path reads history with the
/// current values: a contact with at most two conversions has them all in <c>first_conversion_event_name</c> and
/// <c>recent_conversion_event_name</c>; a contact with more whose hidden conversion-history property was written at its current
/// <c>num_conversion_events</c> (<see cref="ConversionHistoryDigest"/>) is evaluated from that; only the others have their history
/// fetched, 50 per batch read.
/// </remarks>
internal sealed class ContactSnapshotReader
{
    internal const string ConversionCountProperty = "num_conversion_events";
    internal const string FirstConversionProperty = "first_conversion_event_name";
    internal const string RecentConversionProperty = "recent_conversion_event_name";

    /// <summary>HubSpot's most inputs of a batch read that asks for property history.</summary>
    internal const int HistoryBatchLimit = HubSpotCrmClient.MaxHistoryBatchSize;

    private readonly IHubSpotCrmClient _client;
    private readonly ILogger _logger;
    private readonly string _digestProperty;

    public ContactSnapshotReader(IHubSpotCrmClient client, QualificationPolicy policy, ILogger<ContactSnapshotReader> logger)
    {
        _client = client;
        _logger = logger;
        _digestProperty = policy.OutputNames.ConversionHistory;
        HistoryProperties = policy.HistoryProperties;
        var properties = new List<string>(policy.RequiredProperties);
        if (HistoryProperties.Count > 0)
        {
            foreach (var name in (string[])[ConversionCountProperty, FirstConversionProperty, RecentConversionProperty, _digestProperty])
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

    /// <summary>The hidden output property holding what the conversion history gave (<see cref="ConversionHistoryDigest"/>).</summary>
    public string ConversionHistoryProperty => _digestProperty;

    /// <summary>
    /// Whether evaluating <paramref name="contact"/> needs its conversion history read: more than two conversions, and no
    /// conversion-history value kept at its current conversion count.
    /// </summary>
    public bool NeedsHistory(HubSpotContact contact)
    {
        if (HistoryProperties.Count == 0)
        {
            return false;
        }

        var count = ConversionCount(contact);
        return count > 2 && !ConversionHistoryDigest.TryRead(contact.GetProperty(_digestProperty), count, out _);
    }

    /// <summary>
    /// Reads contacts by id (at most 100) with everything the policy needs: one batch read of their current values, then the
    /// conversion history of those that need it (<see cref="NeedsHistory"/>), 50 per read. A contact found by the first read but
    /// missing from its history read was deleted or merged in between: it counts as not found. The records of
    /// <see cref="BatchReadResult.Found"/> carry their history where they need it, so evaluate them with <c>historyIncluded: true</c>.
    /// </summary>
    public async Task<BatchReadResult> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var current = await _client.BatchReadContactsAsync(ids, Properties, [], cancellationToken);
        var needHistory = current.Found.Where(NeedsHistory).ToList();
        if (needHistory.Count == 0)
        {
            return current;
        }

        var read = await WithHistoryAsync(needHistory, cancellationToken);
        var histories = read.Found.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var found = new List<HubSpotContact>(current.Found.Count);
        foreach (var contact in current.Found)
        {
            if (histories.TryGetValue(contact.Id, out var withHistory))
            {
                found.Add(withHistory);
            }
            else if (!NeedsHistory(contact))
            {
                found.Add(contact);
            }

            // Else its history read reported it not found or failed: it is in the history read's not-found ids or errors.
        }

        return new BatchReadResult(found, [.. current.NotFoundIds, .. read.NotFoundIds], [.. current.Errors, .. read.Errors]);
    }

    /// <summary>
    /// <paramref name="contacts"/> with their conversion history attached, read 50 per batch read (one read for up to 50). Those
    /// HubSpot no longer has are in <see cref="BatchReadResult.NotFoundIds"/>; those it could not read are left out, with the errors
    /// (an error tied to no contact leaves out its whole chunk).
    /// </summary>
    public async Task<BatchReadResult> WithHistoryAsync(IReadOnlyList<HubSpotContact> contacts, CancellationToken cancellationToken)
    {
        var found = new List<HubSpotContact>(contacts.Count);
        var notFound = new List<string>();
        var errors = new List<ContactError>();
        foreach (var chunk in contacts.Chunk(HistoryBatchLimit))
        {
            var read = await _client.BatchReadContactsAsync([.. chunk.Select(c => c.Id)], [RecentConversionProperty], HistoryProperties, cancellationToken);
            var histories = read.Found.ToDictionary(c => c.Id, c => c.PropertiesWithHistory, StringComparer.Ordinal);
            // An error tied to no contact leaves every one of this chunk in doubt.
            var unreadable = read.Errors.Any(e => e.ContactId is null)
                ? chunk.Select(c => c.Id).ToHashSet(StringComparer.Ordinal)
                : read.Errors.Select(e => e.ContactId!).ToHashSet(StringComparer.Ordinal);
            foreach (var contact in chunk)
            {
                if (histories.TryGetValue(contact.Id, out var history) && !unreadable.Contains(contact.Id))
                {
                    found.Add(contact with { PropertiesWithHistory = history ?? new Dictionary<string, IReadOnlyList<HubSpot.Contacts.PropertyHistoryEntry>>() });
                }
            }

            notFound.AddRange(read.NotFoundIds);
            errors.AddRange(read.Errors);
            if (unreadable.Count > 0)
            {
                SnapshotLog.HistoryUnreadable(_logger, unreadable.Count);
            }
        }

        return new BatchReadResult(found, notFound, errors);
    }

    /// <summary>
    /// Snapshots of <paramref name="contacts"/>. When <paramref name="historyIncluded"/> is false, the contacts that need their
    /// history (<see cref="NeedsHistory"/>) get it fetched first (one batch read per 50 of them); a contact whose history HubSpot
    /// could not read is left out.
    /// </summary>
    public async Task<IReadOnlyList<ReadSnapshot>> ToSnapshotsAsync(IReadOnlyList<HubSpotContact> contacts, bool historyIncluded, CancellationToken cancellationToken)
    {
        if (!historyIncluded)
        {
            var needHistory = contacts.Where(NeedsHistory).ToList();
            if (needHistory.Count > 0)
            {
                var read = await WithHistoryAsync(needHistory, cancellationToken);
                var withHistory = read.Found.ToDictionary(c => c.Id, StringComparer.Ordinal);
                var unreadable = read.Errors.Count > 0;

                // Its conversions beyond the first and the latest are unknown this time: evaluated on fewer of them, it could be
                // scored lower than it is and that written back. Left as HubSpot has it until its next change or resync.
                contacts = [.. contacts
                    .Where(c => !unreadable || withHistory.ContainsKey(c.Id) || !NeedsHistory(c))
                    .Select(c => withHistory.GetValueOrDefault(c.Id) ?? c)];
            }
        }

        var snapshots = new List<ReadSnapshot>(contacts.Count);
        foreach (var contact in contacts)
        {
            snapshots.Add(ToSnapshot(contact));
        }

        return snapshots;
    }

    /// <summary>
    /// The snapshot of one contact. Up to two conversions, every path takes the names from first/recent (so a resync and a webhook
    /// always agree); beyond that, from the history when the record carries it, else from the conversion-history property kept at
    /// the current conversion count (the same names, so the same decision).
    /// </summary>
    internal ReadSnapshot ToSnapshot(HubSpotContact contact)
    {
        var count = ConversionCount(contact);
        if (HistoryProperties.Count > 0 && count > 2)
        {
            if (contact.PropertiesWithHistory is { } history)
            {
                var fromHistory = ContactSnapshot.FromHubSpot(contact.Id, contact.Properties, Convert(history));
                return new ReadSnapshot(WithFirstConversion(fromHistory, contact), ConversionHistoryDigest.Format(count, fromHistory.ConversionNames));
            }

            if (ConversionHistoryDigest.TryRead(contact.GetProperty(_digestProperty), count, out var kept))
            {
                return new ReadSnapshot(WithFirstConversion(ContactSnapshot.FromHubSpot(contact.Id, contact.Properties) with { ConversionNames = kept }, contact), null);
            }
        }

        return new ReadSnapshot(new ContactSnapshot(contact.Id, contact.Properties, ConversionNamesWithoutHistory(contact)), null);
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
