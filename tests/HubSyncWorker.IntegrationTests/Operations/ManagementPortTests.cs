using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using HubSyncWorker.IntegrationTests.Infrastructure;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>
/// <c>Diagnostics:ManagementPort</c> keeps <c>/admin/*</c> and <c>/metrics</c> off the port a Service or Ingress exposes, and
/// <c>/ready</c> (the readiness probe) depends on the store only: a rejected HubSpot token leaves every pod in the Service.
/// </summary>
[Collection("redis")]
public sealed class ManagementPortTests(RedisServerFixture redis)
{
    private static readonly string Delivery = "[" + SignedWebhook.PropertyChange(6101, "jobtitle", "CTO") + "]";

    [Fact]
    public async Task ManagementPortSet_AdminAndMetricsAnswerOnlyThereAndWebhooksOnThePublicPort()
    {
        var port = Loopback.FreePort();
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, extra: $"--Diagnostics:ManagementPort={port.ToString(CultureInfo.InvariantCulture)}");
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };

        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.SendAsync(Admin(HttpMethod.Get, "/admin/deadletters"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.SendAsync(Admin(HttpMethod.Post, "/admin/resync?dryRun=true"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.PostSignedWebhookAsync(Delivery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.GetAsync("/ready")).StatusCode);

        var metrics = await management.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("hubsync_webhook_requests_total{outcome=\"accepted\"} 1", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await management.SendAsync(Admin(HttpMethod.Get, "/admin/deadletters"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task ManagementPortSet_PublicRequestClaimingTheManagementHost_IsStill404()
    {
        var port = Loopback.FreePort();
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, extra: $"--Diagnostics:ManagementPort={port.ToString(CultureInfo.InvariantCulture)}");
        using var request = Admin(HttpMethod.Get, "/admin/deadletters");
        request.Headers.Host = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Ready_TokenRejectedByHubSpot_StaysReadyWhileHealthIsUnhealthy()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString, tokenStatus: 401);

        await Eventually.ReturnsAsync(() => worker.Client.GetAsync("/health"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20), "/health reports the rejected token");
        var ready = await worker.Client.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain("hubspot-token", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_RedisUnreachable_Is503()
    {
        var closed = Loopback.FreePort();
        await using var worker = await WorkerUnderTest.StartAsync($"127.0.0.1:{closed.ToString(CultureInfo.InvariantCulture)},abortConnect=false,connectTimeout=200,syncTimeout=500,asyncTimeout=500");

        var ready = await worker.Client.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"store\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkerUnderTest.AdminToken);
        return request;
    }
}
