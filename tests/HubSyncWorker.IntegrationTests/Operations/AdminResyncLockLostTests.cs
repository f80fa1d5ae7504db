using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>An admin-triggered resync that loses its lock ends as LockLost, and the endpoint accepts the next one (no 409 forever).</summary>
[Collection("redis")]
public sealed class AdminResyncLockLostTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PostResync_AfterARunLostItsLock_ShowsLockLostAndAcceptsTheNextRun()
    {
        // A 6 s lock renewed every 2 s; HubSpot's calls end within it, as the start-up check demands.
        await using var worker = await WorkerUnderTest.StartAsync(
            redis.ConnectionString,
            extra: ["--Sync:ResyncLockTtl=00:00:06", "--HubSpot:TotalTimeout=00:00:05", "--HubSpot:AttemptTimeout=00:00:04", "--HubSpot:TenSecondlyRetryDelay=00:00:01"]);
        // HubSpot answers the contact calls slowly, so the run is waiting on HubSpot when its lock is taken away.
        worker.HubSpot.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/crm/objects/2026-03/contacts*")))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithDelay(TimeSpan.FromSeconds(10)));
        var lockKey = worker.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + "lock:" + HubSyncWorker.Sync.FullResync.LockName;
        await using var connection = await redis.ConnectAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await worker.Client.SendAsync(Authorized(HttpMethod.Post))).StatusCode);
        await Eventually.ReturnsAsync(() => connection.GetDatabase().KeyExistsAsync(lockKey), held => held, Deadline, "the resync holds its lock");
        // Another process takes the lock over (as after this pod was paused past its lease).
        await connection.GetDatabase().StringSetAsync(lockKey, "999:another-pod", TimeSpan.FromMinutes(1));

        var status = await Eventually.ReturnsAsync(() => GetStatusAsync(worker), s => Run(s)?.GetProperty("outcome").GetString() is not null, Deadline, "the run ends");

        Assert.Equal("LockLost", Run(status)!.Value.GetProperty("outcome").GetString());
        Assert.False(status.GetProperty("progress").GetProperty("running").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, (await worker.Client.SendAsync(Authorized(HttpMethod.Post))).StatusCode);
    }

    private static HttpRequestMessage Authorized(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, "/admin/resync?dryRun=true");
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
