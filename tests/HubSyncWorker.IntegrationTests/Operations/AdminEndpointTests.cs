using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;

namespace HubSyncWorker.IntegrationTests.Operations;

[Collection("redis")]
public sealed class AdminEndpointTests(RedisServerFixture redis)
{
    [Fact]
    public async Task PostResync_NoToken_Unauthorized()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);

        var response = await worker.Client.PostAsync("/admin/resync", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Null(Run(await GetStatusAsync(worker)));
    }

    [Theory]
    [InlineData("Bearer wrong-token-wrong-token-wrong")]
    [InlineData("Bearer operations-test-admin-token-012345678")]
    [InlineData("Basic b3BlcmF0aW9uczp0ZXN0")]
    public async Task PostResync_WrongToken_UnauthorizedAndNothingStarted(string authorization)
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/resync");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Run(await GetStatusAsync(worker)));
    }

    [Fact]
    public async Task PostResync_RightToken_AcceptedAndProgressShowsTheRunEnding()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/resync?dryRun=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkerUnderTest.AdminToken);

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/admin/resync", response.Headers.Location?.ToString());
        using (var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.True(accepted.RootElement.GetProperty("dryRun").GetBoolean());
        }

        // The HubSpot stand-in has no contacts endpoint, so the run fails; the status must say so instead of "running" forever.
        var status = await Eventually.ReturnsAsync(() => GetStatusAsync(worker), s => Run(s)?.GetProperty("outcome").GetString() is not null,
            TimeSpan.FromSeconds(30), "the admin-triggered resync ends");
        var run = Run(status)!.Value;
        Assert.True(run.GetProperty("dryRun").GetBoolean());
        Assert.Equal("Failed", run.GetProperty("outcome").GetString());
        Assert.False(status.GetProperty("progress").GetProperty("running").GetBoolean());
    }

    [Fact]
    public async Task PostResync_WhileOneRunsInThisProcess_Conflict()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        // HubSpot answers the contact calls slowly, so the first resync is still running when the second request arrives.
        worker.HubSpot.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/crm/v3/objects/contacts*")))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithDelay(TimeSpan.FromSeconds(3)));

        var first = await worker.Client.SendAsync(Authorized(HttpMethod.Post));
        var second = await worker.Client.SendAsync(Authorized(HttpMethod.Post));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task PostResync_NoAdminTokenConfigured_NotFound()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, admin: false);
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/resync");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkerUnderTest.AdminToken);

        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.SendAsync(request)).StatusCode);
    }

    private static HttpRequestMessage Authorized(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, "/admin/resync");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkerUnderTest.AdminToken);
        return request;
    }

    private static async Task<JsonElement> GetStatusAsync(WorkerUnderTest worker)
    {
        var response = await worker.Client.SendAsync(Authorized(HttpMethod.Get));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    private static JsonElement? Run(JsonElement status) =>
        status.GetProperty("lastRun") is { ValueKind: JsonValueKind.Object } run ? run : null;
}
