using System.Diagnostics.Metrics;

namespace HubSyncWorker.Webhooks;

/// <summary>Webhook counters (exported at <c>/metrics</c> as <c>hubsync_webhook_*</c>).</summary>
internal sealed class WebhookMetrics
{
    public const string MeterName = "HubSyncWorker.Webhooks";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _events;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("hubsync.webhook.requests", "{request}", "Webhook deliveries by outcome (accepted, unauthorized, bad_request, too_large, unavailable).");
        _events = meter.CreateCounter<long>("hubsync.webhook.events", "{event}", "Webhook events by subscription type and outcome (queued, forgotten, duplicate, ignored_*).");
    }

    public void Request(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Event(string subscriptionType, string outcome) => _events.Add(1,
        new KeyValuePair<string, object?>("type", subscriptionType),
        new KeyValuePair<string, object?>("outcome", outcome));
}
