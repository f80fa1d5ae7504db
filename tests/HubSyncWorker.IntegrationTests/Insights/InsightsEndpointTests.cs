using System.Net;
using System.Net.Http.Headers;
using HubSyncWorker.Insights;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary><c>GET /admin/insights</c> on a running worker (real Kestrel, the sandbox): behind the admin token, answering the JSON report.</summary>
[Collection("redis")]
public sealed class InsightsEndpointTests(RedisServerFixture redis)
{
    private const string AdminToken = "insights-test-admin-token-0123456789";

    [Fact]
    public async Task GetInsights_NoToken_Unauthorized()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { SearchIndexLag = TimeSpan.Zero }, default);
        await using var worker = await StartWorkerAsync(sandbox);

        var response = await worker.Client.GetAsync(InsightsEndpoint.Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, sandbox.Stats.TotalRequests - sandbox.Stats.RequestsByEndpointAndStatus.Where(r => r.Key.Endpoint.Contains("properties", StringComparison.Ordinal)).Sum(r => r.Value));
    }

    [Fact]
    public async Task GetInsights_AdminToken_AnswersTheJsonReportOfTheSample()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { SearchIndexLag = TimeSpan.Zero }, default);
        var now = DateTimeOffset.UtcNow;
        sandbox.Contacts.AddContacts([.. Enumerable.Range(0, 30).Select(i => new SeedContact(
            new Dictionary<string, string?> { ["email"] = $"e{i}@acme.io", ["jobtitle"] = "Head of Growth", ["lifecyclestage"] = "lead", ["hs_analytics_source"] = "REFERRALS" },
            [new Dictionary<string, string?> { ["lifecyclestage"] = i % 3 == 0 ? "salesqualifiedlead" : "marketingqualifiedlead" }])
            { CreatedAt = now.AddDays(-60), LaterTimestamps = [now.AddDays(-20)] })]);
        await using var worker = await StartWorkerAsync(sandbox);
        using var request = new HttpRequestMessage(HttpMethod.Get, InsightsEndpoint.Path + "?sample=20&targetMqlSqlRate=0.4");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = InsightsOutcome.FromJson(await response.Content.ReadAsStringAsync());
        Assert.Equal(20, outcome.Report.Contacts);
        Assert.Equal(20, outcome.Collection.Listed);
        Assert.Equal(30, outcome.Collection.PortalContacts);
        Assert.Equal(1, outcome.Collection.Calls.List);
        Assert.Equal(0, outcome.Collection.Calls.RateLimited);
    }

    [Fact]
    public async Task GetInsights_BadQuery_BadRequestNamingTheParameter()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);
        await using var worker = await StartWorkerAsync(sandbox);
        using var request = new HttpRequestMessage(HttpMethod.Get, InsightsEndpoint.Path + "?targetMqlSqlRate=30");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);

        var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("targetMqlSqlRate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<WorkerApplication> StartWorkerAsync(HubSpotSandbox sandbox) =>
        WorkerApplication.StartAsync(SandboxWorkerSettings.For(sandbox, redis.ConnectionString, "insights-test-client-secret",
            new Dictionary<string, string?> { ["Admin:Token"] = AdminToken }), WorkerFeatures.None);
}
