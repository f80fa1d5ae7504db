using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>The past of a contact: imports whose versions carry their own moments, and the stage dates HubSpot calculates from <c>lifecyclestage</c>.</summary>
public sealed partial class SandboxContactStore
{
    /// <summary>A seed contact ready to import: normalized values, and the moments given (null: the import's moment).</summary>
    private sealed record PreparedSeed(
        Dictionary<string, string> Initial, List<Dictionary<string, string>> Later, DateTimeOffset? CreatedAt, IReadOnlyList<DateTimeOffset>? LaterAt);

    private static DateTimeOffset? CreateDate(Dictionary<string, string> values) =>
        values.TryGetValue("createdate", out var created) && PropertyCatalog.TryParseInstant(created, out var instant) ? instant : null;

    private static string StageOf(IReadOnlyDictionary<string, StoredValue> values) =>
        values.TryGetValue(PropertyCatalog.LifecycleProperty, out var stage) ? stage.Text : "";

    /// <summary>
    /// HubSpot's stage dates for a <c>lifecyclestage</c> change at <paramref name="at"/>: the stage left gets its exit date, the stage entered its
    /// entry date (overwriting an earlier entry: a re-entered stage holds its latest entry); stages skipped get nothing. Each is a CALCULATED version.
    /// </summary>
    private void TrackStage(ContactRecord record, Dictionary<string, StoredValue> values, string previous, string next, DateTimeOffset at)
    {
        if (previous == next)
        {
            return;
        }

        if (previous.Length > 0)
        {
            SetCalculated(record, values, PropertyCatalog.DateExitedProperty(previous), at);
        }

        if (next.Length > 0)
        {
            SetCalculated(record, values, PropertyCatalog.DateEnteredProperty(next), at);
        }
    }

    private void SetCalculated(ContactRecord record, Dictionary<string, StoredValue> values, string name, DateTimeOffset at)
    {
        if (_catalog.Find(name) is null)
        {
            return;
        }

        var text = PropertyCatalog.FormatDateTime(at);
        values[name] = new StoredValue(text, at.ToUnixTimeMilliseconds());
        Append(record, name, text, at, ChangeOrigin.Calculated);
    }

    /// <summary>A seed contact validated and normalized outside the lock, with its creation moment and its versions' moments checked.</summary>
    private PreparedSeed Prepare(SeedContact contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var initial = Normalize(contact.Initial);
        var later = contact.LaterValues.Select(Normalize).ToList();
        if (contact.LaterTimestamps is not { } timestamps)
        {
            return contact.CreatedAt > now
                ? throw new ArgumentException($"A seed contact's creation {contact.CreatedAt:O} is after the import ({now:O}).", nameof(contact))
                : new PreparedSeed(initial, later, contact.CreatedAt, null);
        }

        if (timestamps.Count != later.Count)
        {
            throw new ArgumentException($"A seed contact has {later.Count} sets of later values but {timestamps.Count} timestamps.", nameof(contact));
        }

        var previous = contact.CreatedAt ?? CreateDate(initial) ?? now;
        if (previous > now)
        {
            throw new ArgumentException($"A seed contact's creation {previous:O} is after the import ({now:O}).", nameof(contact));
        }

        foreach (var at in timestamps)
        {
            if (at < previous || at > now)
            {
                throw new ArgumentException($"A seed contact's timestamp {at:O} is before the creation or the version before it ({previous:O}), or after the import ({now:O}).", nameof(contact));
            }

            previous = at;
        }

        return new PreparedSeed(initial, later, contact.CreatedAt, timestamps);
    }
}
