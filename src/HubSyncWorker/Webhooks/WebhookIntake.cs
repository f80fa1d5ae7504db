using HubSyncWorker.Diagnostics;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Webhooks;

/// <summary>What a delivery amounted to.</summary>
internal readonly record struct WebhookIntakeSummary(int Queued, int Forgotten, int Duplicates, int Ignored, int Malformed);

/// <summary>
/// Turns verified events into durable work: triage (loop guard, property filter), then the whole delivery through the
/// <see cref="IWebhookInbox"/> (duplicate check, enqueue, dedupe mark: one round trip). It never calls HubSpot. Storage failures
/// propagate as <see cref="StorageUnavailableException"/> so the endpoint answers 503 and HubSpot retries; an event is marked only
/// once its work is queued, so a failure part-way loses nothing.
/// </summary>
internal sealed class WebhookIntake(
    IWebhookInbox inbox,
    IDeadLetterStore deadLetters,
    IContactPropertyFilter properties,
    WebhookMetrics metrics,
    TimeProvider timeProvider,
    IOptionsMonitor<WebhookOptions> options)
{
    public Task<WebhookIntakeSummary> AcceptAsync(IReadOnlyList<HubSpotWebhookEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);

        // The queue entries carry this span's traceparent, so the consumer's spans of these contacts join the delivery's trace.
        return WorkerTracing.TraceAsync(WorkerTracing.Intake, events.Count, () => AcceptCoreAsync(events, cancellationToken));
    }

    private async Task<WebhookIntakeSummary> AcceptCoreAsync(IReadOnlyList<HubSpotWebhookEvent> events, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var triage = new WebhookEventTriage(properties, settings.OwnAppIds);

        var actionable = new List<TriagedEvent>(events.Count);
        var occurredAt = new List<long?>(events.Count);
        var tally = new WebhookEventTally();
        var ignored = 0;
        var malformed = 0;
        HashSet<string>? forget = null;
        foreach (var e in events)
        {
            var triaged = triage.Triage(e);
            if (triaged.Disposition is WebhookEventDisposition.Evaluate or WebhookEventDisposition.Forget)
            {
                // The same event twice in one delivery counts once.
                if (!ContainsKey(actionable, triaged.DedupeId))
                {
                    actionable.Add(triaged);
                    occurredAt.Add(e.OccurredAt);
                    var firstForgotten = triaged.Disposition == WebhookEventDisposition.Evaluate ? 1 : 0;
                    for (var j = firstForgotten; j < triaged.ContactIds.Count; j++)
                    {
                        (forget ??= new HashSet<string>(StringComparer.Ordinal)).Add(triaged.ContactIds[j]);
                    }
                }
                else
                {
                    tally.Add(triaged.SubscriptionType, "duplicate");
                }
            }
            else
            {
                if (triaged.Disposition == WebhookEventDisposition.Malformed)
                {
                    // Skipped and counted, never a reason to refuse the delivery: HubSpot would not send its good events again.
                    malformed++;
                }
                else
                {
                    ignored++;
                }

                tally.Add(triaged.SubscriptionType, OutcomeOf(triaged.Disposition));
            }
        }

        if (actionable.Count == 0)
        {
            tally.RecordTo(metrics);
            return new WebhookIntakeSummary(0, 0, 0, ignored, malformed);
        }

        var inboxEvents = new InboxEvent[actionable.Count];
        for (var i = 0; i < actionable.Count; i++)
        {
            var triaged = actionable[i];
            var contactId = triaged.Disposition == WebhookEventDisposition.Evaluate ? triaged.ContactIds[0] : null;
            inboxEvents[i] = new InboxEvent(
                triaged.DedupeId, contactId, occurredAt[i] is >= 0 and <= MaxUnixMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(occurredAt[i]!.Value) : null);

            // A contact both re-created and deleted in one delivery is evaluated: the worker reads HubSpot's current state anyway.
            if (contactId is not null)
            {
                forget?.Remove(contactId);
            }
        }

        // Forgetting is idempotent, so it runs before the events are marked: if Redis fails in between, HubSpot's retry does it again.
        if (forget is not null)
        {
            foreach (var contactId in forget)
            {
                await deadLetters.RemoveContactAsync(contactId, cancellationToken);
            }
        }

        var isNew = await inbox.AcceptAsync(inboxEvents, WorkReason.Webhook, timeProvider.GetUtcNow(), settings.DedupeTtl, cancellationToken);

        var queued = 0;
        var distinct = actionable.Count > 64 ? new HashSet<string>(StringComparer.Ordinal) : null;
        var duplicates = 0;
        for (var i = 0; i < actionable.Count; i++)
        {
            var triaged = actionable[i];
            if (!isNew[i])
            {
                duplicates++;
                tally.Add(triaged.SubscriptionType, "duplicate");
            }
            else if (inboxEvents[i].ContactId is { } contactId)
            {
                queued += (distinct?.Add(contactId) ?? FirstNewWithContact(inboxEvents, isNew, i, contactId)) ? 1 : 0;
                tally.Add(triaged.SubscriptionType, "queued");
            }
            else
            {
                tally.Add(triaged.SubscriptionType, "forgotten");
            }
        }

        // Recorded only once the delivery is accepted: a delivery answered 503 is counted when HubSpot's retry succeeds.
        tally.RecordTo(metrics);
        return new WebhookIntakeSummary(queued, forget?.Count ?? 0, duplicates, ignored, malformed);
    }

    /// <summary>Whether no new event before <paramref name="index"/> queues <paramref name="contactId"/>: distinct contacts without a set, for the usual small delivery.</summary>
    private static bool FirstNewWithContact(InboxEvent[] events, IReadOnlyList<bool> isNew, int index, string contactId)
    {
        for (var j = 0; j < index; j++)
        {
            if (isNew[j] && string.Equals(events[j].ContactId, contactId, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // DateTimeOffset.MaxValue in Unix milliseconds: a larger occurredAt is no usable time.
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private static bool ContainsKey(List<TriagedEvent> events, UInt128 key)
    {
        foreach (var e in events)
        {
            if (e.DedupeId == key)
            {
                return true;
            }
        }

        return false;
    }

    private static string OutcomeOf(WebhookEventDisposition disposition) => disposition switch
    {
        WebhookEventDisposition.IgnoredEcho => "ignored_echo",
        WebhookEventDisposition.IgnoredUnwatchedProperty => "ignored_unwatched_property",
        WebhookEventDisposition.IgnoredUnknownType => "ignored_unknown_type",
        WebhookEventDisposition.IgnoredOtherObjectType => "ignored_other_object_type",
        WebhookEventDisposition.Malformed => "malformed",
        _ => "ignored_irrelevant",
    };
}
