using System.Globalization;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// One entry of the work-queue stream: the single format the webhook inbox and the enqueue script write and the queue reads.
/// Every field's name and encoding is here; the scripts (<c>Scripts/webhook-accept.lua</c>, <c>queue-enqueue.lua</c>,
/// <c>queue-read.lua</c>) take the names they need as arguments and copy the other fields as they are.
/// <list type="table">
/// <item><term><c>c</c></term><description>The contact ids, comma-separated: one for an entry of the sync paths, up to
/// <see cref="RedisWebhookInbox.ContactsPerEntry"/> for one of the webhook inbox.</description></item>
/// <item><term><c>r</c></term><description>The <see cref="WorkReason"/> by name (readable in redis-cli).</description></item>
/// <item><term><c>t</c></term><description>When the work was first queued, Unix milliseconds.</description></item>
/// <item><term><c>m</c></term><description>Only on entries queued by <see cref="IWorkQueue.EnqueueAsync"/>: the coalescing token,
/// also held by the waiting hash while the entry waits (<c>{ms}-{nonce}-{n}</c>).</description></item>
/// <item><term><c>tp</c></term><description>Optional: the W3C <c>traceparent</c> of the span that queued the entry (a webhook's
/// intake), so the consumer's spans join its trace.</description></item>
/// </list>
/// A reader skips fields it does not know and a release copies an entry's fields unchanged, so an optional field is a name here,
/// a pair in <see cref="Metadata"/> and a case in <see cref="TryParse"/>; no script changes.
/// </summary>
/// <param name="ContactIds">The contacts to evaluate, at least one.</param>
/// <param name="Reason">Why they were queued.</param>
/// <param name="EnqueuedAt">When the work was first queued (kept across releases).</param>
/// <param name="TraceParent">The W3C traceparent the entry carries, or null.</param>
internal readonly record struct WorkQueueEntry(string[] ContactIds, WorkReason Reason, DateTimeOffset EnqueuedAt, string? TraceParent = null)
{
    /// <summary>The contact ids, comma-separated.</summary>
    public const string ContactsField = "c";

    /// <summary>The reason, by name.</summary>
    public const string ReasonField = "r";

    /// <summary>The first enqueue time, Unix milliseconds.</summary>
    public const string EnqueuedAtField = "t";

    /// <summary>The coalescing token of an entry queued by <see cref="IWorkQueue.EnqueueAsync"/>.</summary>
    public const string MarkerField = "m";

    /// <summary>The optional W3C traceparent of the span that queued the entry.</summary>
    public const string TraceParentField = "tp";

    /// <summary>Separates the contact ids in <see cref="ContactsField"/>: no HubSpot record id contains it.</summary>
    public const char ContactSeparator = ',';

    /// <summary>
    /// The fields besides the contacts and the marker, as script arguments (name, value, ...): the scripts add them to every
    /// entry they write.
    /// </summary>
    public static RedisValue[] Metadata(WorkReason reason, DateTimeOffset enqueuedAt, string? traceParent = null) =>
        string.IsNullOrEmpty(traceParent)
            ? [ReasonField, ReasonName(reason), EnqueuedAtField, enqueuedAt.ToUnixTimeMilliseconds()]
            : [ReasonField, ReasonName(reason), EnqueuedAtField, enqueuedAt.ToUnixTimeMilliseconds(), TraceParentField, traceParent];

    /// <summary>The value of <see cref="ContactsField"/> for <paramref name="contactIds"/>.</summary>
    public static string JoinContacts(IEnumerable<string> contactIds) => string.Join(ContactSeparator, contactIds);

    /// <summary>True when <paramref name="contactId"/> can be listed in <see cref="ContactsField"/>.</summary>
    public static bool IsListable(string? contactId) =>
        !string.IsNullOrEmpty(contactId) && !contactId.Contains(ContactSeparator, StringComparison.Ordinal);

    /// <summary>Reads an entry's fields (name, value, ...); false when it lacks its time or any contact (unreadable).</summary>
    public static bool TryParse(RedisResult[] fields, out WorkQueueEntry entry)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var reason = WorkReason.Manual;
        long? enqueuedAtMs = null;
        string[] contactIds = [];
        string? traceParent = null;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            var value = (string?)fields[i + 1];
            switch ((string?)fields[i])
            {
                case ContactsField when value is not null:
                    contactIds = value.Split(ContactSeparator, StringSplitOptions.RemoveEmptyEntries);
                    break;
                case ReasonField:
                    _ = Enum.TryParse(value, out reason);
                    break;
                case EnqueuedAtField when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms):
                    enqueuedAtMs = ms;
                    break;
                case TraceParentField when !string.IsNullOrEmpty(value):
                    traceParent = value;
                    break;
            }
        }

        entry = new WorkQueueEntry(contactIds, reason, DateTimeOffset.FromUnixTimeMilliseconds(enqueuedAtMs ?? 0), traceParent);
        return enqueuedAtMs is not null && contactIds.Length > 0;
    }

    // Names, not numbers, keep entries readable in redis-cli; an unknown name reads back as Manual.
    private static string ReasonName(WorkReason reason) => reason switch
    {
        WorkReason.Webhook => nameof(WorkReason.Webhook),
        WorkReason.IncrementalSync => nameof(WorkReason.IncrementalSync),
        _ => nameof(WorkReason.Manual),
    };
}
