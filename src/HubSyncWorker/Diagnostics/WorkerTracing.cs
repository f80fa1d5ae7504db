using System.Diagnostics;
using HubSyncWorker.Storage;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// The worker's spans (activity source <c>HubSyncWorker</c>): a webhook delivery from its intake to its write-back in one trace.
/// <list type="bullet">
/// <item><see cref="Intake"/>: the delivery's triage and enqueue, inside the webhook request's span. The queue entry carries its W3C
/// <c>traceparent</c>.</item>
/// <item><see cref="Queue"/>: from the entry's enqueue to its read by a consumer, child of the intake span that queued it.</item>
/// <item><see cref="Batch"/>: one batch taken from the queue, child of its first queue span, linked to the others (a batch holds
/// the contacts of several deliveries).</item>
/// <item><see cref="Read"/>, <see cref="Evaluate"/>, <see cref="Write"/>: the HubSpot batch read, the policy's evaluation and the
/// batch update; the HubSpot calls are their children (HttpClient's spans).</item>
/// </list>
/// Nothing is recorded unless a listener (the OTLP export, a test) listens to the source.
/// </summary>
internal static class WorkerTracing
{
    public const string SourceName = "HubSyncWorker";

    public const string Intake = "hubsync.webhook.intake";
    public const string Queue = "hubsync.queue.wait";
    public const string Batch = "hubsync.queue.batch";
    public const string Read = "hubsync.contacts.read";
    public const string Evaluate = "hubsync.evaluate";
    public const string Write = "hubsync.contacts.write";

    /// <summary>How many contacts (or webhook events, on the intake span) a span covers.</summary>
    public const string CountTag = "hubsync.count";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Runs <paramref name="action"/> in a span named <paramref name="name"/>, marked as failed when it throws.</summary>
    public static Task<T> TraceAsync<T>(string name, int count, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);

        // Untraced (the usual case without OTLP), the webhook path pays no extra state machine.
        return Source.HasListeners() ? TraceCoreAsync(name, count, action) : action();
    }

    private static async Task<T> TraceCoreAsync<T>(string name, int count, Func<Task<T>> action)
    {
        using var span = Source.StartActivity(name);
        span?.SetTag(CountTag, count);
        try
        {
            return await action();
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// Starts the span of a batch read from the queue, after recording one <see cref="Queue"/> span (enqueue to <paramref name="now"/>)
    /// per distinct trace parent its entries carry. Null when nothing listens.
    /// </summary>
    public static Activity? StartBatch(IReadOnlyList<LeasedWorkItem> items, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        ActivityContext first = default;
        List<ActivityLink>? links = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leased in items)
        {
            if (leased.Item.TraceParent is not { } traceParent || !seen.Add(traceParent)
                || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var queuedBy))
            {
                continue;
            }

            var wait = Source.StartActivity(Queue, ActivityKind.Consumer, queuedBy, startTime: leased.Item.EnqueuedAt);
            if (wait is null)
            {
                continue;
            }

            wait.SetTag("messaging.message.id", leased.EntryId);
            wait.SetEndTime(now.UtcDateTime);
            wait.Stop();
            if (first == default)
            {
                first = wait.Context;
            }
            else
            {
                (links ??= []).Add(new ActivityLink(wait.Context));
            }
        }

        // Stopping a span whose parent is remote leaves no current span; the batch belongs where the consumer was.
        Activity.Current = previous;
        var batch = Source.StartActivity(Batch, ActivityKind.Internal, first, links: links);
        batch?.SetTag(CountTag, items.Count);
        return batch;
    }
}
