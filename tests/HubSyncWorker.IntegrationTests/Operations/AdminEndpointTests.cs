using System.Net;
using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;

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
        Assert.Null(WorkerUnderTest.LastRun(await worker.GetResyncStatusAsync()));
    }

    [Theory]
    [InlineData("Bearer wrong-token-wrong-token-wrong")]
    [InlineData("Bearer operations-test-admin-token-012345678")]
    [InlineData("Basic b3BlcmF0aW9uczp0ZXN0")]
    public async Task PostResync_WrongToken_UnauthorizedAndNothingStarted(string authorization)
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        var request = WorkerUnderTest.AdminRequest(HttpMethod.Post);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(WorkerUnderTest.LastRun(await worker.GetResyncStatusAsync()));
    }

    [Fact]
    public async Task PostResync_RightToken_AcceptedAndProgressShowsTheRunEnding()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        var request = WorkerUnderTest.AdminRequest(HttpMethod.Post, "/admin/resync?dryRun=true");

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/admin/resync", response.Headers.Location?.ToString());
        using (var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.True(accepted.RootElement.GetProperty("dryRun").GetBoolean());
        }

        // The HubSpot stand-in has no contacts endpoint, so the run fails; the status must say so instead of "running" forever.
        var status = await Eventually.ReturnsAsync(() => worker.GetResyncStatusAsync(), s => WorkerUnderTest.LastRun(s)?.GetProperty("outcome").GetString() is not null,
            TimeSpan.FromSeconds(30), "the admin-triggered resync ends");
        var run = WorkerUnderTest.LastRun(status)!.Value;
        Assert.True(run.GetProperty("dryRun").GetBoolean());
        Assert.Equal("Failed", run.GetProperty("outcome").GetString());
        Assert.False(status.GetProperty("progress").GetProperty("running").GetBoolean());
    }

    [Fact]
    public async Task PostResync_WhileOneRunsInThisProcess_Conflict()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redis.ConnectionString);
        // HubSpot answers the contact calls slowly, so the first resync is still running when the second request arrives.
        worker.HubSpot.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/crm/objects/2026-03/contacts*")))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithDelay(TimeSpan.FromSeconds(3)));

        var first = await worker.Client.SendAsync(WorkerUnderTest.AdminRequest(HttpMethod.Post));
        var second = await worker.Client.SendAsync(WorkerUnderTest.AdminRequest(HttpMethod.Post));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task PostResync_NoAdminTokenConfigured_NotFound()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, admin: false);
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/resync");

        Assert.Equal(HttpStatusCode.NotFound, (await worker.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task DeadLetters_NoToken_UnauthorizedForListAndRetry()
    {
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.GetAsync("/admin/deadletters")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.GetAsync("/admin/deadletters?max=abc")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.PostAsync("/admin/deadletters/retry", null)).StatusCode);
    }

    [Fact]
    public async Task DeadLetters_EmbeddedStore_ListedThenRetriedOntoTheWorkQueue()
    {
        // The embedded store: only the running worker can reach its dead letters, so the endpoints are the way in.
        await using var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);
        var store = worker.Services.GetRequiredService<IDeadLetterStore>();
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await store.AddAsync(new DeadLetter("501", new Dictionary<string, string> { ["hs_lead_status"] = "NEW" }, "VALIDATION_ERROR", "not an option", at), default);
        await store.AddAsync(new DeadLetter("502", new Dictionary<string, string>(), "REPEATED_FAILURE", "failed 10 times", at.AddMinutes(1)), default);

        using (var listed = JsonDocument.Parse(await SendAsync(worker, HttpMethod.Get, "/admin/deadletters?max=1", HttpStatusCode.OK)))
        {
            Assert.Equal(2, listed.RootElement.GetProperty("count").GetInt64());
            var letter = Assert.Single(listed.RootElement.GetProperty("letters").EnumerateArray());
            Assert.Equal(("502", "REPEATED_FAILURE"), (letter.GetProperty("contactId").GetString(), letter.GetProperty("category").GetString()));
        }

        await SendAsync(worker, HttpMethod.Get, "/admin/deadletters?max=0", HttpStatusCode.BadRequest);
        await SendAsync(worker, HttpMethod.Get, "/admin/deadletters?max=abc", HttpStatusCode.BadRequest);
        using (var retried = JsonDocument.Parse(await SendAsync(worker, HttpMethod.Post, "/admin/deadletters/retry?contactId=501", HttpStatusCode.OK)))
        {
            Assert.Equal((1, 1, 1), (retried.RootElement.GetProperty("letters").GetInt32(), retried.RootElement.GetProperty("contactsQueued").GetInt32(), retried.RootElement.GetProperty("lettersRemoved").GetInt32()));
        }

        Assert.Equal(["502"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        var queued = await worker.Services.GetRequiredService<IWorkQueue>().ReadAsync("admin-test", 10, TimeSpan.Zero, default);
        Assert.Equal([("501", WorkReason.Manual)], queued.Select(q => (q.Item.ContactId, q.Item.Reason)));
    }

    [Fact]
    public async Task DeadLetters_RedisUnreachable_ServiceUnavailableWithTheReason()
    {
        await using var worker = await WorkerUnderTest.StartAsync($"127.0.0.1:{Loopback.FreePort()},connectTimeout=300,syncTimeout=500,asyncTimeout=500");

        var body = await SendAsync(worker, HttpMethod.Get, "/admin/deadletters", HttpStatusCode.ServiceUnavailable);
        await SendAsync(worker, HttpMethod.Post, "/admin/deadletters/retry", HttpStatusCode.ServiceUnavailable);

        Assert.Contains("Redis is unavailable", body, StringComparison.Ordinal);
    }

    private static async Task<string> SendAsync(WorkerUnderTest worker, HttpMethod method, string path, HttpStatusCode expected)
    {
        var response = await worker.Client.SendAsync(WorkerUnderTest.AdminRequest(method, path));
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
