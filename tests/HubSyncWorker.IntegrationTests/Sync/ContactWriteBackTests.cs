using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The write-back against HubSpot 2026-09's validation-rule rejections (played by WireMock), with a real Redis dead-letter store:
/// a refused contact is dead-lettered at once with the property named, never retried, and never holds its batch-mates back.
/// </summary>
[Collection("redis")]
public sealed class ContactWriteBackTests(RedisServerFixture redis) : IDisposable
{
    private const string UpdatePath = "/crm/objects/2026-09/contacts/batch/update";
    private readonly WireMockServer _hubSpot = WireMockServer.Start();

    public void Dispose() => _hubSpot.Stop();

    [Fact]
    public async Task WriteAsync_Whole400NamingTheInputsItRefuses_DeadLettersThemWithThePropertyAndSendsTheRestOnce()
    {
        const string scenario = "validation-rules";
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).InScenario(scenario).WillSetStateTo("resent")
            .RespondWith(Json(400, """
                {"status":"error","message":"Some contacts break the portal's validation rules","correlationId":"c-1","category":"VALIDATION_ERROR",
                 "errors":[
                   {"message":"company is required","code":"MISSING_REQUIRED_PROPERTY","subCategory":{},"context":{"propertyName":["company"],"ids":["11"]}},
                   {"message":"required when customer","code":"MISSING_CONDITIONAL_REQUIRED_PROPERTY","objectWriteTraceId":"12","context":{"propertyName":["jobtitle","industry"]}}]}
                """));
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).InScenario(scenario).WhenStateIs("resent")
            .RespondWith(Json(200, """{"status":"COMPLETE","results":[{"id":"10","properties":{}},{"id":"13","properties":{}}]}"""));
        using var host = BuildHost();

        var outcome = await host.Services.GetRequiredService<ContactWriteBack>().WriteAsync(Plans("10", "11", "12", "13"), default);

        Assert.Equal((2, 2, 2), (outcome.Written, outcome.DeadLettered, outcome.Calls));
        Assert.Equal(["10", "11", "12", "13"], InputIds(0));
        Assert.Equal(["10", "13"], InputIds(1));
        var letters = (await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, default)).OrderBy(l => l.ContactId).ToList();
        Assert.Equal(
            [
                ("11", "MISSING_REQUIRED_PROPERTY", "MISSING_REQUIRED_PROPERTY: company is required by a validation rule of the portal"),
                ("12", "MISSING_CONDITIONAL_REQUIRED_PROPERTY", "MISSING_CONDITIONAL_REQUIRED_PROPERTY: jobtitle, industry are required by a conditional validation rule of the portal"),
            ],
            letters.Select(l => (l.ContactId, l.Category, l.Message)));
    }

    [Fact]
    public async Task WriteAsync_ValidationRuleIn200Answer_DeadLettersThatInputOnlyAndDoesNotRetry()
    {
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).RespondWith(Json(200, """
            {"status":"COMPLETE","results":[{"id":"10","properties":{}}],"numErrors":1,
             "errors":[{"status":"error","category":"VALIDATION_ERROR","code":"MISSING_REQUIRED_PROPERTY","subCategory":{"rule":"r-1"},"message":"company is required",
                        "context":{"propertyName":["company"],"objectWriteTraceId":["11"]}}]}
            """));
        using var host = BuildHost();

        var outcome = await host.Services.GetRequiredService<ContactWriteBack>().WriteAsync(Plans("10", "11"), default);

        Assert.Equal((1, 1, 1), (outcome.Written, outcome.DeadLettered, outcome.Calls));
        Assert.Single(_hubSpot.LogEntries);
        var letter = Assert.Single(await host.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, default));
        Assert.Equal(("11", "MISSING_REQUIRED_PROPERTY: company is required by a validation rule of the portal"), (letter.ContactId, letter.Message));
    }

    [Fact]
    public async Task WriteAsync_Whole400NamingNoInput_IsBisectedToTheInputAtFault()
    {
        // Without names the write-back can only split: [10, 11] refused, then 10 alone written, 11 alone refused.
        const string scenario = "bisect";
        const string refused = """{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}""";
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).InScenario(scenario).WillSetStateTo("halves").RespondWith(Json(400, refused));
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).InScenario(scenario).WhenStateIs("halves").WillSetStateTo("second")
            .RespondWith(Json(200, """{"status":"COMPLETE","results":[{"id":"10","properties":{}}]}"""));
        _hubSpot.Given(Request.Create().WithPath(UpdatePath).UsingPost()).InScenario(scenario).WhenStateIs("second").RespondWith(Json(400, refused));
        using var host = BuildHost();

        var outcome = await host.Services.GetRequiredService<ContactWriteBack>().WriteAsync(Plans("10", "11"), default);

        Assert.Equal((1, 1, 3), (outcome.Written, outcome.DeadLettered, outcome.Calls));
        Assert.Equal(["11"], InputIds(2));
    }

    private IHost BuildHost()
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings
        {
            EnvironmentName = "Testing",
            Features = WorkerFeatures.None,
            Settings = new Dictionary<string, string?>
            {
                ["HubSpot:BaseUrl"] = _hubSpot.Url,
                ["HubSpot:AllowCustomBaseUrl"] = "true",
                ["HubSpot:AccessToken"] = "pat-na1-write-back-test",
                ["HubSpot:ApiVersion"] = "2026-09",
                ["HubSpot:RetryBaseDelay"] = "00:00:00.050",
                ["Redis:ConnectionString"] = redis.ConnectionString,
                ["Redis:KeyPrefix"] = RedisServerFixture.NewKeyPrefix(),
                ["Sync:BootstrapProperties"] = "false",
            },
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }

    private List<string> InputIds(int call)
    {
        using var body = JsonDocument.Parse(_hubSpot.LogEntries.ElementAt(call).RequestMessage!.Body!);
        return [.. body.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }

    private static List<WriteBackPlan> Plans(params string[] ids) =>
        [.. ids.Select(id => new WriteBackPlan(id, new Dictionary<string, string> { ["hubsync_status"] = "mql" }, ClearLifecycleStageFirst: false))];

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
}
