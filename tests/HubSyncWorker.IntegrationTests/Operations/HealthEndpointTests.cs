using System.Net;
using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;

namespace HubSyncWorker.IntegrationTests.Operations;

[Collection("redis")]
public sealed class HealthEndpointTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Health_RedisStoppedThenRestarted_UnhealthyThenHealthyAgain()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.FastFailConnectionString);
        var healthy = await worker.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal("Healthy", await CheckStatusAsync(healthy, "store"));

        await redis.StopAsync();
        try
        {
            var down = await Eventually.ReturnsAsync(() => worker.Client.GetAsync("/health"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, Outage, "/health answers 503 while Redis is down");
            Assert.Equal("Unhealthy", await CheckStatusAsync(down, "store"));
            Assert.Equal("Healthy", await CheckStatusAsync(down, "hubspot-token"));

            // Liveness does not depend on Redis: Kubernetes must not restart pods for an outage of a dependency.
            Assert.Equal(HttpStatusCode.OK, (await worker.Client.GetAsync("/alive")).StatusCode);
        }
        finally
        {
            await redis.StartAsync();
        }

        var back = await Eventually.ReturnsAsync(() => worker.Client.GetAsync("/health"), r => r.StatusCode == HttpStatusCode.OK, Outage, "/health answers 200 once Redis is back");
        Assert.Equal("Healthy", await CheckStatusAsync(back, "store"));
    }

    [Fact]
    public async Task Health_TokenRejectedByHubSpot_UnhealthyAndCheckedOnceForManyProbes()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, tokenStatus: 401);

        for (var probe = 0; probe < 5; probe++)
        {
            var response = await worker.Client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Unhealthy", await CheckStatusAsync(response, "hubspot-token"));
            Assert.Equal("Healthy", await CheckStatusAsync(response, "store"));
        }

        Assert.Single(worker.HubSpot.LogEntries, e => e.RequestMessage?.Path == WorkerUnderTest.TokenProbePath);
    }

    [Fact]
    public async Task Health_TokenRejectedByHubSpot_HubSpotAccessSaysPausedAndTokenRejectedGaugeIs1()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, tokenStatus: 401);

        var access = await Eventually.ReturnsAsync(
            async () => await AccessCheckAsync(await worker.Client.GetAsync("/health")), c => c.Status == "Degraded", TimeSpan.FromSeconds(10), "hubspot-access degraded");

        Assert.StartsWith("Paused: HubSpot rejected the access token (HTTP 401)", access.Description, StringComparison.Ordinal);
        Assert.Equal(1, await worker.ScrapeAsync("hubsync_hubspot_token_rejected"));
    }

    [Fact]
    public async Task Health_TokenAccepted_HubSpotAccessHealthyAndTokenRejectedGaugeIs0()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);

        var access = await AccessCheckAsync(await worker.Client.GetAsync("/health"));

        Assert.Equal("Healthy", access.Status);
        Assert.Equal(0, await worker.ScrapeAsync("hubsync_hubspot_token_rejected"));
    }

    private static async Task<(string? Status, string? Description)> AccessCheckAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = json.RootElement.GetProperty("checks").GetProperty("hubspot-access");
        return (check.GetProperty("status").GetString(), check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Health_EmbeddedStoreAndAcceptedToken_Healthy()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);

        var response = await worker.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await CheckStatusAsync(response, "hubspot-token"));
        Assert.Equal("Healthy", await CheckStatusAsync(response, "store"));
        var tokenCall = Assert.Single(worker.HubSpot.LogEntries, e => e.RequestMessage?.Path == WorkerUnderTest.TokenProbePath);
        Assert.Equal("Bearer pat-operations-test-token", tokenCall.RequestMessage!.Headers!["Authorization"].Single());
        Assert.DoesNotContain("pat-operations-test-token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string?> CheckStatusAsync(HttpResponseMessage response, string check)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString();
    }
}
