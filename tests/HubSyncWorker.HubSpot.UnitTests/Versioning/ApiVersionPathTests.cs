using System.Text.Json;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using WireMock.RequestBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Versioning;

/// <summary>Every call the client makes goes to the path HubSpot documents for the configured <c>HubSpot:ApiVersion</c>.</summary>
public sealed class ApiVersionPathTests : IClassFixture<WireMockFixture>
{
    private const string Property = """{"name":"hubsync_status","label":"Status","type":"enumeration","fieldType":"select","groupName":"hubsync","options":[]}""";
    private readonly WireMockFixture _wireMock;

    public ApiVersionPathTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    public static TheoryData<string, string, string> Versions => new()
    {
        { "2026-03", "/crm/objects/2026-03/contacts", "/crm/properties/2026-03/contacts" },
        { "2026-09", "/crm/objects/2026-09/contacts", "/crm/properties/2026-09/contacts" },
        { "v3", "/crm/v3/objects/contacts", "/crm/v3/properties/contacts" },
    };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task EveryEndpoint_ConfiguredVersion_CallsTheVersionsPath(string version, string objects, string properties)
    {
        // Only the version's paths answer; any other path gets WireMock's 404, which fails the call.
        var server = _wireMock.Server;
        server.Given(Request.Create().WithPath(objects).UsingGet()).RespondWith(Json(200, """{"results":[{"id":"1","properties":{}}]}"""));
        server.Given(Request.Create().WithPath(objects + "/search").UsingPost()).RespondWith(Json(200, """{"total":1,"results":[{"id":"1","properties":{}}]}"""));
        server.Given(Request.Create().WithPath(objects + "/batch/read").UsingPost()).RespondWith(Json(200, """{"status":"COMPLETE","results":[{"id":"1","properties":{}}]}"""));
        server.Given(Request.Create().WithPath(objects + "/batch/update").UsingPost()).RespondWith(Json(200, """{"status":"COMPLETE","results":[{"id":"1","properties":{"a":"b"}}]}"""));
        server.Given(Request.Create().WithPath(properties).UsingGet()).RespondWith(Json(200, $$"""{"results":[{{Property}}]}"""));
        server.Given(Request.Create().WithPath(properties).UsingPost()).RespondWith(Json(201, Property));
        server.Given(Request.Create().WithPath(properties + "/hubsync_status").UsingGet()).RespondWith(Json(200, Property));
        server.Given(Request.Create().WithPath(properties + "/hubsync_status").UsingPatch()).RespondWith(Json(200, Property));
        server.Given(Request.Create().WithPath(properties + "/groups").UsingGet()).RespondWith(Json(200, """{"results":[{"name":"hubsync","label":"HubSync"}]}"""));
        server.Given(Request.Create().WithPath(properties + "/groups").UsingPost()).RespondWith(Json(201, """{"name":"hubsync","label":"HubSync"}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = version);
        var client = host.Client;

        Assert.Single((await client.ListContactsAsync(new ContactListQuery { Properties = ["email"] }, default)).Results);
        Assert.Single((await client.SearchContactsAsync(new ContactSearchRequest(), default)).Results);
        Assert.Single((await client.BatchReadContactsAsync(["1"], ["email"], [], default)).Found);
        Assert.True((await client.BatchUpdateContactsAsync([new ContactUpdate("1", new Dictionary<string, string> { ["a"] = "b" })], default)).Succeeded);
        Assert.Single(await client.ListPropertiesAsync(default));
        Assert.NotNull(await client.GetPropertyAsync("hubsync_status", default));
        Assert.True(await client.CreatePropertyAsync(new PropertyCreate { Name = "hubsync_status", Label = "Status", Type = "string", FieldType = "text", GroupName = "hubsync" }, default));
        await client.UpdatePropertyAsync("hubsync_status", new PropertyUpdate { Label = "Status" }, default);
        Assert.Single(await client.ListPropertyGroupsAsync(default));
        Assert.True(await client.CreatePropertyGroupAsync(new PropertyGroupCreate("hubsync", "HubSync"), default));

        Assert.Equal(
            [
                ("GET", objects), ("POST", objects + "/search"), ("POST", objects + "/batch/read"), ("POST", objects + "/batch/update"),
                ("GET", properties), ("GET", properties + "/hubsync_status"), ("POST", properties), ("PATCH", properties + "/hubsync_status"),
                ("GET", properties + "/groups"), ("POST", properties + "/groups"),
            ],
            // Distinct: on a loaded machine a connection can fail before WireMock answers and the resilience pipeline sends the
            // request again, which is the retry working, not a wrong path.
            server.LogEntries.Select(e => (e.RequestMessage!.Method, e.RequestMessage.Path)).Distinct());
    }

    [Fact]
    public async Task ListContactsAsync_NextLinkPointsElsewhere_PagesWithAfterOnTheVersionsPath()
    {
        // HubSpot's link may name another version's path (or host): the client pages with the cursor on its own path instead.
        var server = _wireMock.Server;
        server.Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet().WithParam("after", "cursor-2"))
            .RespondWith(Json(200, """{"results":[{"id":"2","properties":{}}]}"""));
        server.Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet().WithParam(p => !p.ContainsKey("after")))
            .RespondWith(Json(200, $$$$"""{"results":[{"id":"1","properties":{}}],"paging":{"next":{"after":"cursor-2","link":"{{{{_wireMock.Url}}}}/crm/v3/objects/contacts?after=cursor-2&limit=100"}}}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url);

        var first = await host.Client.ListContactsAsync(new ContactListQuery(), default);
        var second = await host.Client.ListContactsAsync(new ContactListQuery { After = first.NextAfter }, default);

        Assert.Equal(("1", "cursor-2", "2", null), (first.Results[0].Id, first.NextAfter, second.Results[0].Id, second.NextAfter));
        Assert.All(server.LogEntries, e => Assert.Equal("/crm/objects/2026-03/contacts", e.RequestMessage!.Path));
    }

    [Fact]
    public async Task SearchContactsAsync_NextLinkPointsElsewhere_SendsTheCursorInTheBodyOnTheVersionsPath()
    {
        var server = _wireMock.Server;
        server.Given(Request.Create().WithPath("/crm/objects/2026-09/contacts/search").UsingPost())
            .RespondWith(Json(200, $$$$"""{"total":400,"results":[{"id":"1","properties":{}}],"paging":{"next":{"after":"200","link":"{{{{_wireMock.Url}}}}/crm/v3/objects/contacts/search?after=200"}}}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = "2026-09");

        var first = await host.Client.SearchContactsAsync(new ContactSearchRequest(), default);
        await host.Client.SearchContactsAsync(new ContactSearchRequest { After = first.NextAfter }, default);

        Assert.Equal("200", first.NextAfter);
        Assert.All(server.LogEntries, e => Assert.Equal("/crm/objects/2026-09/contacts/search", e.RequestMessage!.Path));
        using var body = JsonDocument.Parse(server.LogEntries.Last().RequestMessage!.Body!);
        Assert.Equal("200", body.RootElement.GetProperty("after").GetString());
    }
}
