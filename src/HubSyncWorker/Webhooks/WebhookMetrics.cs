using System.Diagnostics.Metrics;

namespace HubSyncWorker.Webhooks;

/// <summary>Webhook counters (exported at <c>/metrics</c> as <c>hubsync_webhook_*</c>).</summary>
internal sealed class WebhookMetrics
{
    public const string MeterName = "HubSyncWorker.Webhooks";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _events;
    private readonly Counter<long> _refusals;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("hubsync.webhook.requests", "{request}", "Webhook deliveries by outcome (accepted, unauthorized, bad_request, too_large, unavailable, queue_full, replicas_unconfirmed).");
        _events = meter.CreateCounter<long>("hubsync.webhook.events", "{event}", "Webhook events by subscription type and outcome (queued, forgotten, duplicate, ignored_*, malformed).");
        _refusals = meter.CreateCounter<long>("hubsync.webhook.refusals", "{request}",
            "Webhook deliveries refused for their signature, by cause (missing_signature, signature_version_not_accepted, bad_timestamp, stale_timestamp, bad_signature, url_mismatch). HubSpot never retries them.");
    }

    public void Request(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Refused(string cause) => _refusals.Add(1, new KeyValuePair<string, object?>("cause", cause));

    public void Event(string subscriptionType, string outcome, long count = 1) => _events.Add(count,
        new KeyValuePair<string, object?>("type", subscriptionType),
        new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>
/// Counts a delivery's events by type and outcome, then records each pair once: a 10-event delivery of one kind costs one
/// counter update instead of ten.
/// </summary>
internal sealed class WebhookEventTally
{
    private readonly List<(string Type, string Outcome, int Count)> _counts = new(4);

    public void Add(string subscriptionType, string outcome)
    {
        for (var i = 0; i < _counts.Count; i++)
        {
            var (type, existing, count) = _counts[i];
            if (string.Equals(existing, outcome, StringComparison.Ordinal) && string.Equals(type, subscriptionType, StringComparison.Ordinal))
            {
                _counts[i] = (type, existing, count + 1);
                return;
            }
        }

        _counts.Add((subscriptionType, outcome, 1));
    }

    public void RecordTo(WebhookMetrics metrics)
    {
        foreach (var (type, outcome, count) in _counts)
        {
            metrics.Event(type, outcome, count);
        }
    }
}
