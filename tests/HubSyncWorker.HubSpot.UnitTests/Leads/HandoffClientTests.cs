using System.Net;
using System.Text.Json.Nodes;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Handoff;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WireMock.RequestBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Leads;

public sealed class HandoffClientTests : IClassFixture<WireMockFixture>
{
    private const string MissingScopes = """
        {"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
         "correlationId":"c0ffee00-0000-4000-8000-000000000403","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.leads.write"]}}],
         "links":{"scopes":"https://developers.hubspot.com/scopes"},"category":"MISSING_SCOPES"}
        """;

    private const string Lead = """{"id":"18000000001","properties":{"hs_lead_name":"Jane","hs_pipeline_stage":"new-stage-id","hs_lead_is_open":"true"},"createdAt":"2026-12-07T09:00:00.000Z","updatedAt":"2026-12-07T09:00:00.000Z","archived":false}""";

    private readonly WireMockFixture _wireMock;

    public HandoffClientTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    [Theory]
    [InlineData("2026-03", "/crm/objects/2026-03/leads")]
    [InlineData("2026-09", "/crm/objects/2026-09/leads")]
    [InlineData("v3", "/crm/v3/objects/leads")]
    public async Task CreateLeadAsync_ForAContact_PostsPropertiesAndThePrimaryContactAssociationOnTheVersionsPath(string version, string path)
    {
        _wireMock.Server.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Json(201, Lead));
        using var host = HandoffTestHost.Create(_wireMock.Url, version);

        var lead = await host.Client.CreateLeadAsync(new LeadToCreate
        {
            ContactId = "501",
            Name = "Jane Doe",
            OwnerId = "75000002",
            Properties = new Dictionary<string, string> { ["hubsync_handoff_reason"] = "MQL: demo request" },
        }, default);

        Assert.Equal(("18000000001", "new-stage-id", true), (lead.Id, lead.StageId, lead.IsOpen));
        var entry = Assert.Single(_wireMock.Server.LogEntries);
        Assert.Equal("Bearer " + HubSpotTestHost.Token, entry.RequestMessage!.Headers!["Authorization"].Single());
        var body = JsonNode.Parse(entry.RequestMessage.Body!)!;
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["hubsync_handoff_reason"] = "MQL: demo request",
                ["hs_lead_name"] = "Jane Doe",
                ["hs_pipeline"] = "lead-pipeline-id",
                ["hs_pipeline_stage"] = "new-stage-id",
                ["hubspot_owner_id"] = "75000002",
            },
            body["properties"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()));
        var association = Assert.Single(body["associations"]!.AsArray())!;
        Assert.Equal("501", association["to"]!["id"]!.GetValue<string>());
        Assert.Equal(("HUBSPOT_DEFINED", 578), (association["types"]![0]!["associationCategory"]!.GetValue<string>(), association["types"]![0]!["associationTypeId"]!.GetValue<int>()));
    }

    [Fact]
    public async Task CreateLeadAsync_PropertyGivenTwice_ThrowsBeforeCallingHubSpot()
    {
        using var host = HandoffTestHost.Create(_wireMock.Url);

        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.CreateLeadAsync(new LeadToCreate
        {
            ContactId = "1",
            Name = "X",
            Properties = new Dictionary<string, string> { ["hs_pipeline_stage"] = "connected-stage-id" },
        }, default));
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task CreateLeadAsync_PortalWithoutLeads_ThrowsLeadsUnavailableOnceWithoutRetryAndLogsIt()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/crm/objects/2026-03/leads").UsingPost()).RespondWith(Json(403, MissingScopes));
        using var host = HandoffTestHost.Create(_wireMock.Url);

        var error = await Assert.ThrowsAsync<HubSpotLeadsUnavailableException>(() => host.Client.CreateLeadAsync(new LeadToCreate { ContactId = "1", Name = "X" }, default));

        Assert.Equal((HttpStatusCode.Forbidden, "MISSING_SCOPES", "c0ffee00-0000-4000-8000-000000000403"), (error.StatusCode, error.Category, error.CorrelationId));
        Assert.Single(_wireMock.Server.LogEntries);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 1401);
    }

    [Theory]
    [InlineData(400, """{"status":"error","message":"Unable to infer object type from: leads","correlationId":"x","category":"VALIDATION_ERROR"}""", true)]
    [InlineData(400, """{"status":"error","message":"Property values were not valid","correlationId":"x","category":"VALIDATION_ERROR"}""", false)]
    [InlineData(403, """{"status":"error","message":"Forbidden","correlationId":"x","category":"FORBIDDEN"}""", false)]
    [InlineData(404, """{"status":"error","message":"Unable to infer object type from: leads","correlationId":"x"}""", true)]
    public async Task SearchLeadsAsync_Refused_MapsOnlyNoLeadsAnswersToLeadsUnavailable(int status, string body, bool unavailable)
    {
        _wireMock.Server.Given(Request.Create().WithPath("/crm/objects/2026-03/leads/search").UsingPost()).RespondWith(Json(status, body));
        using var host = HandoffTestHost.Create(_wireMock.Url);

        var error = await Assert.ThrowsAnyAsync<HubSpotApiException>(() => host.Client.SearchLeadsAsync(new ContactSearchRequest(), default));

        Assert.Equal(unavailable, error is HubSpotLeadsUnavailableException);
        Assert.Equal(status, (int)error.StatusCode);
    }

    [Fact]
    public async Task SearchLeadsAsync_DailyLimit_ThrowsDailyLimitExceeded()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/crm/objects/2026-03/leads/search").UsingPost()).RespondWith(RateLimited("DAILY"));
        using var host = HandoffTestHost.Create(_wireMock.Url);

        await Assert.ThrowsAsync<HubSpotDailyLimitExceededException>(() => host.Client.SearchLeadsAsync(new ContactSearchRequest(), default));
    }

    [Theory]
    [InlineData("2026-03", "/crm/objects/2026-03/contacts/501/associations/leads", "\"18000000001\"")]
    [InlineData("v3", "/crm/v4/objects/contacts/501/associations/leads", "18000000001")]
    public async Task FindOpenLeadsForContactAsync_ReadsTheAssociationsThenTheLeads_ReturnsOnlyOpenOnes(string version, string associationsPath, string toObjectId)
    {
        var objects = version == "v3" ? "/crm/v3/objects/leads" : $"/crm/objects/{version}/leads";
        _wireMock.Server.Given(Request.Create().WithPath(associationsPath).UsingGet()).RespondWith(Json(200, $$"""
            {"results":[{"toObjectId":{{toObjectId}},"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":609,"label":null}]},
                        {"toObjectId":"18000000002","associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":609,"label":null}]}]}
            """));
        _wireMock.Server.Given(Request.Create().WithPath(objects + "/batch/read").UsingPost()).RespondWith(Json(200, """
            {"status":"COMPLETE","results":[
              {"id":"18000000001","properties":{"hs_pipeline_stage":"attempting-stage-id","hs_lead_is_open":"true","hubspot_owner_id":"75000001"}},
              {"id":"18000000002","properties":{"hs_pipeline_stage":"qualified-stage-id","hs_lead_is_open":"false"}}]}
            """));
        using var host = HandoffTestHost.Create(_wireMock.Url, version);

        var open = await host.Client.FindOpenLeadsForContactAsync("501", ["hs_lead_name"], default);

        Assert.Equal(("18000000001", "75000001"), (Assert.Single(open).Id, open[0].OwnerId));
        var read = JsonNode.Parse(_wireMock.Server.LogEntries.Single(e => e.RequestMessage!.Path.EndsWith("/batch/read", StringComparison.Ordinal)).RequestMessage!.Body!)!;
        Assert.Equal(["18000000001", "18000000002"], read["inputs"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Contains("hs_lead_is_open", read["properties"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.DoesNotContain(_wireMock.Server.LogEntries, e => e.RequestMessage!.Path.EndsWith("/search", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadLeadsAsync_WithStageHistory_ReturnsLeadsTheirStageHistoryAndTheIdsNotFound()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/crm/objects/2026-03/leads/batch/read").UsingPost()).RespondWith(Json(207, """
            {"status":"COMPLETE","results":[{"id":"7","properties":{"hs_pipeline_stage":"connected-stage-id"},
              "propertiesWithHistory":{"hs_pipeline_stage":[
                {"value":"connected-stage-id","timestamp":"2026-12-07T12:00:00.000Z","sourceType":"CRM_UI","sourceId":"userId:9100001"},
                {"value":"new-stage-id","timestamp":"2026-12-07T09:00:00.000Z","sourceType":"INTEGRATION"}]}}],
             "numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":{},"message":"Could not get some LEAD objects","context":{"ids":["8"]}}]}
            """));
        using var host = HandoffTestHost.Create(_wireMock.Url);

        var result = await host.Client.ReadLeadsAsync(["7", "8"], ["hs_pipeline_stage"], ["hs_pipeline_stage"], default);

        var lead = Assert.Single(result.Found);
        Assert.Equal(["8"], result.NotFoundIds);
        Assert.Equal(
            [("connected-stage-id", DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), ("new-stage-id", DateTimeOffset.Parse("2026-12-07T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture))],
            lead.StageHistory.Select(h => (h.Value, h.Timestamp!.Value)));
    }

    [Fact]
    public async Task ReadLeadsAsync_HistoryForMoreThan50_ThrowsBeforeCallingHubSpot()
    {
        using var host = HandoffTestHost.Create(_wireMock.Url);

        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ReadLeadsAsync([.. Enumerable.Range(1, 51).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], [], ["hs_pipeline_stage"], default));
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Theory]
    [InlineData("2026-03", "/crm/owners/2026-03")]
    [InlineData("2026-09", "/crm/owners/2026-09")]
    [InlineData("v3", "/crm/v3/owners/")]
    public async Task ListActiveOwnersAsync_PagesToTheEnd_OnTheVersionsOwnersPath(string version, string path)
    {
        _wireMock.Server.Given(Request.Create().WithPath(path).UsingGet().WithParam(p => !p.ContainsKey("after"))).RespondWith(Json(200, """
            {"results":[{"id":"75000001","email":"ana@x.io","firstName":"Ana","userId":9100001,"type":"PERSON","archived":false}],"paging":{"next":{"after":"1"}}}
            """));
        _wireMock.Server.Given(Request.Create().WithPath(path).UsingGet().WithParam("after", "1")).RespondWith(Json(200, """
            {"results":[{"id":"75000002","email":"bob@x.io","userId":9100002,"archived":false}]}
            """));
        using var host = HandoffTestHost.Create(_wireMock.Url, version);

        var owners = await host.Client.ListActiveOwnersAsync(default);

        Assert.Equal([("75000001", 9100001L), ("75000002", 9100002L)], owners.Select(o => (o.Id, o.UserId!.Value)));
        Assert.All(_wireMock.Server.LogEntries, e => Assert.Equal("false", e.RequestMessage!.Query!["archived"].Single()));
    }

    [Fact]
    public async Task CreateTaskAsync_ForAnOwner_PostsDueDateOwnerAndContactAndLeadAssociations()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/crm/objects/2026-03/tasks").UsingPost()).RespondWith(Json(201, """{"id":"52000000001","properties":{"hs_task_subject":"Call"}}"""));
        using var host = HandoffTestHost.Create(_wireMock.Url);

        var task = await host.Client.CreateTaskAsync(new TaskToCreate
        {
            ContactId = "501",
            OwnerId = "75000003",
            Subject = "Call the new MQL",
            DueAt = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero),
            Type = "CALL",
            LeadId = "18000000001",
        }, default);

        Assert.Equal("52000000001", task.Id);
        var body = JsonNode.Parse(Assert.Single(_wireMock.Server.LogEntries).RequestMessage!.Body!)!;
        Assert.Equal(("Call the new MQL", "1796720400000", "75000003", "CALL"), (
            body["properties"]!["hs_task_subject"]!.GetValue<string>(), body["properties"]!["hs_timestamp"]!.GetValue<string>(),
            body["properties"]!["hubspot_owner_id"]!.GetValue<string>(), body["properties"]!["hs_task_type"]!.GetValue<string>()));
        Assert.Equal([("501", 204), ("18000000001", 647)], body["associations"]!.AsArray().Select(a => (a!["to"]!["id"]!.GetValue<string>(), a["types"]![0]!["associationTypeId"]!.GetValue<int>())));
    }

    [Theory]
    [InlineData("/crm/owners", "2026-03", "/crm/owners/2026-03")]
    [InlineData("/crm/owners/75000001", "2026-09", "/crm/owners/2026-09/75000001")]
    [InlineData("/crm/owners", "v3", "/crm/v3/owners/")]
    [InlineData("/api/crm/owners/5", "v3", "/api/crm/v3/owners/5")]
    [InlineData("/crm/v3/objects/contacts/{contactId}/associations/leads", "v3", "/crm/v4/objects/contacts/{contactId}/associations/leads")]
    [InlineData("/crm/objects/2026-03/contacts/1/associations/leads", "2026-03", "/crm/objects/2026-03/contacts/1/associations/leads")]
    [InlineData("/crm/v3/objects/leads/batch/read", "v3", "/crm/v3/objects/leads/batch/read")]
    [InlineData("/crm/ownership", "2026-03", "/crm/ownership")]
    public void Apply_HandoffPaths_GetTheVersionsPath(string path, string version, string expected) =>
        Assert.Equal(expected, HubSpotHandoffPathHandler.Apply(path, version));

    [Fact]
    public void AddHubSpotHandoffClients_WithoutTheHubSpotClient_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddHubSpotHandoffClients());

    /// <summary>The real composition: <c>AddHubSpotClient</c> then <c>AddHubSpotHandoffClients</c>, pointed at WireMock.</summary>
    private sealed class HandoffTestHost : IDisposable
    {
        private readonly ServiceProvider _services;

        private HandoffTestHost(ServiceProvider services)
        {
            _services = services;
            Client = services.GetRequiredService<IHubSpotHandoffClient>();
            Logs = services.GetFakeLogCollector();
        }

        public IHubSpotHandoffClient Client { get; }

        public FakeLogCollector Logs { get; }

        public static HandoffTestHost Create(string baseUrl, string version = "2026-03")
        {
            var settings = HubSpotTestHost.FastSettings(baseUrl);
            settings["HubSpot:ApiVersion"] = version;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
            services.AddSingleton<TimeProvider>(new AcceleratedTimeProvider(20));
            services.AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName));
            services.AddHubSpotHandoffClients();
            return new HandoffTestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        }

        public void Dispose() => _services.Dispose();
    }
}
