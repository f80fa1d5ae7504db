using System.Net;
using HubSyncWorker.IntegrationTests.Infrastructure;

namespace HubSyncWorker.IntegrationTests.Operations;

[Collection("redis")]
public sealed class MetricsEndpointTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Metrics_SignedWebhookProcessed_CountsItAndShowsItQueued()
    {
        // No caching of the queue statistics, so the scrape after the delivery reads the queue again.
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, extra: "--Diagnostics:QueueStatsCacheDuration=00:00:00");
        var acceptedBefore = await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"accepted\"}") ?? 0;

        var body = $$"""[{"eventId":{{Random.Shared.NextInt64(1, long.MaxValue)}},"subscriptionId":7,"portalId":62515,"appId":555,"occurredAt":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":90210,"propertyName":"email","propertyValue":"a@example.com","changeSource":"CRM_UI"}]""";
        var delivery = await worker.PostSignedWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);

        Assert.Equal(acceptedBefore + 1, await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"accepted\"}"));
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_webhook_events_total{type=\"contact.propertyChange\",outcome=\"queued\"}"));
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_queue_depth{state=\"pending\"}"));
    }

    [Fact]
    public async Task Metrics_BadSignature_CountedAsUnauthorizedNotAccepted()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);

        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/hubspot") { Content = new StringContent("[]") };
        request.Headers.Add("X-HubSpot-Signature-v3", "bm90LWEtc2lnbmF0dXJl");
        request.Headers.Add("X-HubSpot-Request-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.SendAsync(request)).StatusCode);

        Assert.Equal(1, await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"unauthorized\"}"));
        Assert.Null(await worker.ScrapeAsync("hubsync_webhook_requests_total{outcome=\"accepted\"}"));
    }

    [Fact]
    public async Task Metrics_TokenCheckCalledHubSpot_CountsTheCallByEndpointTemplateAndStatus()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, tokenStatus: 401);
        // The first check may outlast Diagnostics:HealthCheckTimeout on busy cores (then /health says Degraded); it goes on and is
        // cached, so a later probe sees the rejection without calling HubSpot again.
        var health = await Eventually.ReturnsAsync(
            () => worker.Client.GetAsync("/health"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "/health reports the rejected token");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

        Assert.Equal(1, await worker.ScrapeAsync("hubsync_hubspot_requests_total{endpoint=\"/crm/properties/2026-03/contacts/{name}\",method=\"GET\",status=\"401\"}"));
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_hubspot_rate_budget_wait_seconds_count{budget=\"Standard\"}"));
    }
}
