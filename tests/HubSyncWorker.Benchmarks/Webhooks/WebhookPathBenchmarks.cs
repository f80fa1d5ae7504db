using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using HubSyncWorker.HubSpot.Webhooks;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Benchmarks.Webhooks;

/// <summary>
/// The in-process CPU of one 10-event delivery on the webhook endpoint, step by step (no Kestrel, no Redis): the v3 signature check,
/// the JSON parse, the triage of every event. <c>webhook-load</c> measures the whole endpoint; this says how much of it is ours.
/// </summary>
[MemoryDiagnoser]
public class WebhookPathBenchmarks
{
    private const string Secret = "bench-webhook-secret";
    private const string Url = "https://hubsync.example.com/webhooks/hubspot";

    private readonly WebhookSignatureVerifier _verifier = new(TimeProvider.System);
    private readonly WebhookDeliveryReader _reader = new();
    private readonly WebhookEventTriage _triage = new(new WatchedProperties(), ["999"]);
    private byte[] _body = null!;
    private string _timestamp = null!;
    private string _signature = null!;
    private HubSpotWebhookEvent[] _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        _timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var json = new StringBuilder("[");
        for (var j = 0; j < 10; j++)
        {
            json.Append(j == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"eventId":{{1000 + j}},"subscriptionId":11,"portalId":62515,"appId":999,"occurredAt":{{_timestamp}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":{{5000 + j}},"changeSource":"CRM_UI","sourceId":"userId:42","propertyName":"hs_email_click","propertyValue":"{{j + 1}}"}""");
        }

        _body = Encoding.UTF8.GetBytes(json.Append(']').ToString());
        _signature = SignedWebhook.V3Signature(Secret, "POST", Url, Encoding.UTF8.GetString(_body), _timestamp);
        _events = ParseEvents();
        if (Verify() != SignatureVerificationResult.Valid || _events.Length != 10)
        {
            throw new InvalidOperationException("The benchmark's delivery does not verify or parse.");
        }
    }

    [Benchmark]
    public SignatureVerificationResult Verify() => _verifier.Verify(
        new SignedWebhookRequest("POST", Url, _body, _signature, _timestamp, null, null),
        Secret,
        new SignaturePolicy(AcceptV1: false, AcceptV2: false, TimeSpan.FromMinutes(5)));

    [Benchmark]
    public int Parse() => ParseEvents().Length;

    [Benchmark]
    public int Triage()
    {
        var evaluate = 0;
        foreach (var e in _events)
        {
            evaluate += _triage.Triage(e).Disposition == WebhookEventDisposition.Evaluate ? 1 : 0;
        }

        return evaluate;
    }

    private HubSpotWebhookEvent[] ParseEvents() => _reader.Read(_body)!;

    private sealed class WatchedProperties : IContactPropertyFilter
    {
        public bool IsWatched(string propertyName) => propertyName is "hs_email_click" or "jobtitle";

        public bool IsOutput(string propertyName) => propertyName.StartsWith("hubsync_", StringComparison.Ordinal);
    }
}
