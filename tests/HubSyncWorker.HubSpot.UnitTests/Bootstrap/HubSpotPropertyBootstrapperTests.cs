using System.Text.Json;
using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Bootstrap;

public sealed class HubSpotPropertyBootstrapperTests : IClassFixture<WireMockFixture>, IDisposable
{
    private const string PropertiesPath = "/crm/properties/2026-03/contacts";
    private const string GroupsPath = "/crm/properties/2026-03/contacts/groups";
    private static readonly PropertyGroupDefinition Group = new("hubsync", "HubSync qualification");

    private static readonly PropertyDefinition Score = new()
    {
        Name = "hubsync_mql_score",
        Label = "HubSync MQL score",
        Type = "number",
        FieldType = "number",
    };

    private static readonly PropertyDefinition Status = new()
    {
        Name = "hubsync_mql_status",
        Label = "HubSync MQL status",
        Type = "enumeration",
        FieldType = "select",
        Options =
        [
            new PropertyOption { Label = "Not qualified", Value = "NOT_QUALIFIED", DisplayOrder = 0 },
            new PropertyOption { Label = "MQL", Value = "MQL", DisplayOrder = 1 },
        ],
    };

    private readonly WireMockFixture _wireMock;
    private readonly HubSpotTestHost _host;
    private readonly HubSpotPropertyBootstrapper _bootstrapper;

    public HubSpotPropertyBootstrapperTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
        _host = HubSpotTestHost.Create(wireMock.Url);
        _bootstrapper = _host.Services.GetRequiredService<HubSpotPropertyBootstrapper>();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task EnsureAsync_EmptyPortal_CreatesGroupAndEveryProperty()
    {
        GivenGroups("""{"results":[{"name":"contactinformation","label":"Contact information"}]}""");
        GivenProperties("""{"results":[{"name":"email","label":"Email","type":"string","fieldType":"text","groupName":"contactinformation"}]}""");
        _wireMock.Server.Given(Request.Create().WithPath(GroupsPath).UsingPost()).RespondWith(Json(201, """{"name":"hubsync","label":"HubSync qualification"}"""));
        _wireMock.Server.Given(Request.Create().WithPath(PropertiesPath).UsingPost()).RespondWith(Json(201, """{"name":"created","type":"number"}"""));

        var summary = await _bootstrapper.EnsureAsync(Group, [Score, Status], CancellationToken.None);

        Assert.True(summary.GroupCreated);
        Assert.Equal(["hubsync_mql_score", "hubsync_mql_status"], summary.Created);
        var posts = Bodies("POST", PropertiesPath);
        Assert.Equal(2, posts.Count);
        var expected = JsonDocument.Parse("""
            {"name":"hubsync_mql_status","label":"HubSync MQL status","type":"enumeration","fieldType":"select","groupName":"hubsync",
             "options":[{"label":"Not qualified","value":"NOT_QUALIFIED","displayOrder":0,"hidden":false},{"label":"MQL","value":"MQL","displayOrder":1,"hidden":false}]}
            """);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, posts[1].RootElement), posts[1].RootElement.GetRawText());
        var group = Assert.Single(Bodies("POST", GroupsPath));
        Assert.Equal("hubsync", group.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task EnsureAsync_GroupAndPropertyCreatedConcurrently_409IsTreatedAsExisting()
    {
        GivenGroups("""{"results":[]}""");
        GivenProperties("""{"results":[]}""");
        _wireMock.Server.Given(Request.Create().WithPath(GroupsPath).UsingPost()).RespondWith(Json(409, """{"status":"error","message":"A property group named 'hubsync' already exists.","category":"CONFLICT"}"""));
        _wireMock.Server.Given(Request.Create().WithPath(PropertiesPath).UsingPost()).RespondWith(Json(409, """{"status":"error","message":"Property named 'hubsync_mql_score' already exists.","category":"OBJECT_ALREADY_EXISTS"}"""));
        _wireMock.Server.Given(Request.Create().WithPath($"{PropertiesPath}/hubsync_mql_score").UsingGet())
            .RespondWith(Json(200, """{"name":"hubsync_mql_score","label":"HubSync MQL score","type":"number","fieldType":"number","groupName":"hubsync","options":[]}"""));

        var summary = await _bootstrapper.EnsureAsync(Group, [Score], CancellationToken.None);

        Assert.False(summary.GroupCreated);
        Assert.Empty(summary.Created);
        Assert.Equal(["hubsync_mql_score"], summary.Unchanged);
    }

    [Fact]
    public async Task EnsureAsync_EverythingInPlace_SecondRunMakesNoWrites()
    {
        GivenGroups("""{"results":[{"name":"hubsync","label":"HubSync qualification"}]}""");
        GivenProperties("""
            {"results":[
              {"name":"hubsync_mql_score","type":"number","fieldType":"number","groupName":"hubsync","options":[]},
              {"name":"hubsync_mql_status","type":"enumeration","fieldType":"select","groupName":"hubsync",
               "options":[{"label":"Not qualified","value":"NOT_QUALIFIED","displayOrder":0,"hidden":false},{"label":"Marketing qualified","value":"MQL","displayOrder":1,"hidden":false}]},
              {"name":"hs_predictivescoringtier","type":"enumeration","fieldType":"calculation_score","options":[]}]}
            """);

        var first = await _bootstrapper.EnsureAsync(Group, [Score, Status], CancellationToken.None);
        var second = await _bootstrapper.EnsureAsync(Group, [Score, Status], CancellationToken.None);

        foreach (var run in new[] { first, second })
        {
            Assert.False(run.GroupCreated);
            Assert.Empty(run.Created);
            Assert.Empty(run.Updated);
            Assert.Equal(["hubsync_mql_score", "hubsync_mql_status"], run.Unchanged);
        }

        Assert.All(_wireMock.Server.LogEntries, e => Assert.Equal("GET", e.RequestMessage!.Method));
        Assert.Equal(4, _wireMock.Server.LogEntries.Count());
    }

    [Fact]
    public async Task EnsureAsync_EnumerationMissingAnOption_PatchesWithUnionKeepingExistingOptions()
    {
        GivenGroups("""{"results":[{"name":"hubsync","label":"HubSync"}]}""");
        GivenProperties("""
            {"results":[{"name":"hubsync_mql_status","type":"enumeration","fieldType":"select","groupName":"hubsync",
              "options":[{"label":"Not qualified (edited by marketing)","value":"NOT_QUALIFIED","displayOrder":0,"hidden":false}]}]}
            """);
        _wireMock.Server.Given(Request.Create().WithPath($"{PropertiesPath}/hubsync_mql_status").UsingPatch())
            .RespondWith(Json(200, """{"name":"hubsync_mql_status","type":"enumeration","fieldType":"select"}"""));

        var summary = await _bootstrapper.EnsureAsync(Group, [Status], CancellationToken.None);

        Assert.Equal(["hubsync_mql_status"], summary.Updated);
        var patch = Assert.Single(Bodies("PATCH", $"{PropertiesPath}/hubsync_mql_status"));
        var expected = JsonDocument.Parse("""
            {"options":[{"label":"Not qualified (edited by marketing)","value":"NOT_QUALIFIED","displayOrder":0,"hidden":false},
                        {"label":"MQL","value":"MQL","displayOrder":1,"hidden":false}]}
            """);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, patch.RootElement), patch.RootElement.GetRawText());
        Assert.Empty(Bodies("POST", PropertiesPath));
    }

    [Fact]
    public async Task EnsureAsync_OptionsWithoutDisplayOrder_EveryOptionSentCarriesOne()
    {
        // 2026-03 requires options[].displayOrder: an option defined (or read back) without one is sent at its position.
        GivenGroups("""{"results":[{"name":"hubsync","label":"HubSync"}]}""");
        GivenProperties("""
            {"results":[{"name":"hubsync_mql_status","type":"enumeration","fieldType":"select","groupName":"hubsync",
              "options":[{"label":"Not qualified","value":"NOT_QUALIFIED","hidden":false}]}]}
            """);
        _wireMock.Server.Given(Request.Create().WithPath(PropertiesPath).UsingPost()).RespondWith(Json(201, """{"name":"hubsync_mql_tier","type":"enumeration"}"""));
        _wireMock.Server.Given(Request.Create().WithPath($"{PropertiesPath}/hubsync_mql_status").UsingPatch())
            .RespondWith(Json(200, """{"name":"hubsync_mql_status","type":"enumeration","fieldType":"select"}"""));
        var unordered = new[] { new PropertyOption { Label = "Not qualified", Value = "NOT_QUALIFIED" }, new PropertyOption { Label = "MQL", Value = "MQL" } };
        var tier = Status with { Name = "hubsync_mql_tier", Label = "Tier", Options = [new PropertyOption { Label = "A", Value = "A" }, new PropertyOption { Label = "B", Value = "B", DisplayOrder = 7 }] };

        await _bootstrapper.EnsureAsync(Group, [Status with { Options = unordered }, tier], CancellationToken.None);

        var post = Assert.Single(Bodies("POST", PropertiesPath));
        var patch = Assert.Single(Bodies("PATCH", $"{PropertiesPath}/hubsync_mql_status"));
        Assert.Equal([0, 7], post.RootElement.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("displayOrder").GetInt32()));
        Assert.Equal([0, 1], patch.RootElement.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("displayOrder").GetInt32()));
    }

    [Fact]
    public async Task EnsureAsync_ExistingPropertyHasOtherType_ThrowsNamingPropertyAndBothTypesWithoutWriting()
    {
        GivenGroups("""{"results":[{"name":"hubsync","label":"HubSync"}]}""");
        GivenProperties("""{"results":[{"name":"hubsync_mql_score","type":"string","fieldType":"text","groupName":"hubsync"}]}""");

        var exception = await Assert.ThrowsAsync<HubSpotPropertyMismatchException>(() => _bootstrapper.EnsureAsync(Group, [Score, Status], CancellationToken.None));

        Assert.Contains("'hubsync_mql_score'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("type 'string'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("needs type 'number'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(new PropertyTypeMismatch("hubsync_mql_score", "number", "string"), Assert.Single(exception.Mismatches));
        Assert.All(_wireMock.Server.LogEntries, e => Assert.Equal("GET", e.RequestMessage!.Method));
    }

    [Theory]
    [InlineData("number", "text")]
    [InlineData("string", "select")]
    [InlineData("bool", "checkbox")]
    [InlineData("datetime", "datetime")]
    [InlineData("phone_number", "text")]
    public async Task EnsureAsync_InvalidTypeFieldTypePair_ThrowsBeforeCallingHubSpot(string type, string fieldType)
    {
        var invalid = Score with { Type = type, FieldType = fieldType };

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => _bootstrapper.EnsureAsync(Group, [invalid], CancellationToken.None));

        Assert.Contains($"type '{type}' with fieldType '{fieldType}'", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task EnsureAsync_EnumerationWithoutOptions_ThrowsBeforeCallingHubSpot()
    {
        var exception = await Assert.ThrowsAsync<ArgumentException>(() => _bootstrapper.EnsureAsync(Group, [Status with { Options = [] }], CancellationToken.None));

        Assert.Contains("needs at least one option", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    private void GivenGroups(string body) =>
        _wireMock.Server.Given(Request.Create().WithPath(GroupsPath).UsingGet()).RespondWith(Json(200, body));

    private void GivenProperties(string body) =>
        _wireMock.Server.Given(Request.Create().WithPath(PropertiesPath).UsingGet()).RespondWith(Json(200, body));

    private List<JsonDocument> Bodies(string method, string path) =>
        [.. _wireMock.Server.LogEntries
            .Where(e => e.RequestMessage!.Method == method && e.RequestMessage.Path == path)
            .Select(e => JsonDocument.Parse(e.RequestMessage!.Body!))];
}
