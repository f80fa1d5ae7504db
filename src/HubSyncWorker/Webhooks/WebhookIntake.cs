using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Webhooks;

/// <summary>What a delivery amounted to.</summary>
internal readonly record struct WebhookIntakeSummary(int Queued, int Forgotten, int Duplicates, int Ignored);

/// <summary>
/// Turns verified events into durable work: triage (loop guard, property filter), dedupe, enqueue, then mark as seen.
/// It never calls HubSpot. Storage failures propagate as <see cref="StorageUnavailableException"/> so the endpoint answers 503
/// and HubSpot retries; because events are marked only after they are queued, a failure part-way loses nothing.
/// </summary>
internal sealed class WebhookIntake(
    IDedupeStore dedupe,
    IWorkQueue queue,
    IDeadLetterStore deadLetters,
    IContactPropertyFilter properties,
    WebhookMetrics metrics,
    TimeProvider timeProvider,
    IOptionsMonitor<WebhookOptions> options)
{
    public async Task<WebhookIntakeSummary> AcceptAsync(IReadOnlyList<HubSpotWebhookEvent> events, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var triage = new WebhookEventTriage(properties, settings.OwnAppIds);

        var actionable = new List<TriagedEvent>(events.Count);
        var keys = new List<string>(events.Count);
        var ignored = 0;
        foreach (var e in events)
        {
            var triaged = triage.Triage(e);
            if (triaged.Disposition is WebhookEventDisposition.Evaluate or WebhookEventDisposition.Forget)
            {
                // The same event twice in one delivery counts once.
                if (!keys.Contains(triaged.DedupeKey))
                {
                    actionable.Add(triaged);
                    keys.Add(triaged.DedupeKey);
                }
                else
                {
                    metrics.Event(triaged.SubscriptionType, "duplicate");
                }
            }
            else
            {
                ignored++;
                metrics.Event(triaged.SubscriptionType, OutcomeOf(triaged.Disposition));
            }
        }

        if (actionable.Count == 0)
        {
            return new WebhookIntakeSummary(0, 0, 0, ignored);
        }

        var seen = await dedupe.ContainsAsync(keys, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var work = new Dictionary<string, WorkItem>(StringComparer.Ordinal);
        var forget = new HashSet<string>(StringComparer.Ordinal);
        var newKeys = new List<string>(actionable.Count);
        var duplicates = 0;
        for (var i = 0; i < actionable.Count; i++)
        {
            var triaged = actionable[i];
            if (seen[i])
            {
                duplicates++;
                metrics.Event(triaged.SubscriptionType, "duplicate");
                continue;
            }

            newKeys.Add(triaged.DedupeKey);
            if (triaged.Disposition == WebhookEventDisposition.Evaluate)
            {
                work.TryAdd(triaged.ContactIds[0], new WorkItem(triaged.ContactIds[0], WorkReason.Webhook, now));
                for (var j = 1; j < triaged.ContactIds.Count; j++)
                {
                    forget.Add(triaged.ContactIds[j]);
                }

                metrics.Event(triaged.SubscriptionType, "queued");
            }
            else
            {
                forget.UnionWith(triaged.ContactIds);
                metrics.Event(triaged.SubscriptionType, "forgotten");
            }
        }

        // A contact both re-created and deleted in one delivery is evaluated: the worker reads HubSpot's current state anyway.
        forget.ExceptWith(work.Keys);

        if (work.Count > 0)
        {
            await queue.EnqueueAsync(work.Values, cancellationToken);
        }

        foreach (var contactId in forget)
        {
            await deadLetters.RemoveContactAsync(contactId, cancellationToken);
        }

        if (newKeys.Count > 0)
        {
            await dedupe.TryMarkAsync(newKeys, settings.DedupeTtl, cancellationToken);
        }

        return new WebhookIntakeSummary(work.Count, forget.Count, duplicates, ignored);
    }

    private static string OutcomeOf(WebhookEventDisposition disposition) => disposition switch
    {
        WebhookEventDisposition.IgnoredEcho => "ignored_echo",
        WebhookEventDisposition.IgnoredUnwatchedProperty => "ignored_unwatched_property",
        WebhookEventDisposition.IgnoredUnknownType => "ignored_unknown_type",
        _ => "ignored_irrelevant",
    };
}
