using System.Collections.Concurrent;
using System.Net;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class VersionedApiTests
{
    private const string EnumerationWithoutDisplayOrder =
        """{"name":"hubsync_tier","label":"Tier","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"A","value":"A","displayOrder":0},{"label":"B","value":"B"}]}""";

    [Theory]
    [InlineData("v3", SandboxApiVersion.V3)]
    [InlineData("2026-03", SandboxApiVersion.March2026)]
    [InlineData("2026-09", SandboxApiVersion.September2026)]
    public async Task EveryEndpoint_UnderEachVersionPath_AnswersWithTheSameStatsNames(string version, SandboxApiVersion expected)
    {
        var log = new ConcurrentQueue<SandboxRequestLogEntry>();
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.RequestLog = log.Enqueue;
            o.SearchIndexLag = TimeSpan.Zero; // routing is checked here, not search freshness
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        var objects = SandboxSession.ObjectsPath(version);
        var properties = SandboxSession.PropertiesPath(version);

        var list = await session.GetAsync(objects + "?properties=email");
        var search = await session.PostAsync(objects + "/search", new { limit = 10 });
        var read = await session.PostAsync(objects + "/batch/read", new { properties = new[] { "email" }, inputs = new[] { new { id } } });
        var update = await session.BatchUpdateAsync(version, new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } });
        var group = await session.PostAsync(properties + "/groups", new { name = "hubsync", label = "HubSync" });
        var groups = await session.GetAsync(properties + "/groups");
        var created = await session.PostAsync(properties, new { name = "hubsync_score", label = "Score", type = "number", fieldType = "number", groupName = "hubsync" });
        var fetched = await session.GetAsync(properties + "/hubsync_score");
        var patched = await session.SendAsync(HttpMethod.Patch, properties + "/hubsync_score", """{"label":"HubSync score"}""");
        var all = await session.GetAsync(properties);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK,
            HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK],
            [list.Status, search.Status, read.Status, update.Status, group.Status, groups.Status, created.Status, fetched.Status, patched.Status, all.Status]);
        Assert.Equal("a@example.com", list.Results.Single()!["properties"]!["email"]!.GetValue<string>());
        Assert.Equal(1, search.Json["total"]!.GetValue<int>());
        Assert.Equal("CTO", session.Sandbox.Contacts.GetContact(id)!.Properties["jobtitle"]);
        Assert.Equal(
            [SandboxEndpoint.ContactsList, SandboxEndpoint.ContactsSearch, SandboxEndpoint.ContactsBatchRead, SandboxEndpoint.ContactsBatchUpdate,
                SandboxEndpoint.GroupsCreate, SandboxEndpoint.GroupsList, SandboxEndpoint.PropertiesCreate, SandboxEndpoint.PropertiesGet,
                SandboxEndpoint.PropertiesUpdate, SandboxEndpoint.PropertiesList],
            log.Select(e => e.Endpoint));
        Assert.All(log, e => Assert.Equal(expected, e.ApiVersion));
    }

    [Theory]
    [InlineData("/crm/objects/2025-09/contacts")]
    [InlineData("/crm/objects/2027-03/contacts")]
    [InlineData("/crm/v4/objects/contacts")]
    [InlineData("/crm/properties/2026-04/contacts")]
    public async Task UnknownVersionSegment_Returns404WithHubSpotsErrorBody(string path)
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Equal("error", result.Json["status"]!.GetValue<string>());
        Assert.Equal(1, session.Sandbox.Stats.Requests(SandboxEndpoint.Unknown, 404));
    }

    [Theory]
    [InlineData("v3", HttpStatusCode.Created)]
    [InlineData("2026-03", HttpStatusCode.BadRequest)]
    [InlineData("2026-09", HttpStatusCode.BadRequest)]
    public async Task CreateProperty_OptionWithoutDisplayOrder_IsRefusedFrom2026_03On(string version, HttpStatusCode expected)
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.SendAsync(HttpMethod.Post, SandboxSession.PropertiesPath(version), EnumerationWithoutDisplayOrder);

        Assert.Equal(expected, result.Status);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal("VALIDATION_ERROR", result.Json["category"]!.GetValue<string>());
            Assert.Contains("options[1].displayOrder", result.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(session.Sandbox.Properties.Find("hubsync_tier"));
        }
    }

    [Fact]
    public async Task CreateProperty_2026_03_EveryOptionWithDisplayOrder_IsCreatedAndAnswersTheOrders()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.SendAsync(HttpMethod.Post, SandboxSession.PropertiesPath("2026-03"),
            EnumerationWithoutDisplayOrder.Replace("""{"label":"B","value":"B"}""", """{"label":"B","value":"B","displayOrder":-1}""", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, result.Status);
        Assert.Equal([0, -1], result.Json["options"]!.AsArray().Select(o => o!["displayOrder"]!.GetValue<int>()));
    }

    [Fact]
    public async Task UpdateProperty_2026_03_OptionsWithoutDisplayOrder_Returns400AndKeepsTheOptions()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.SendAsync(HttpMethod.Patch, SandboxSession.PropertiesPath("2026-03") + "/hs_lead_status",
            """{"options":[{"label":"New","value":"NEW"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(8, session.Sandbox.Properties.Find("hs_lead_status")!.Options.Count);
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("2026-03")]
    [InlineData("2026-09")]
    public async Task GetProperty_AnyVersion_EveryOptionCarriesItsDisplayOrder(string version)
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync(SandboxSession.PropertiesPath(version) + "/lifecyclestage");

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], result.Json["options"]!.AsArray().Select(o => o!["displayOrder"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("v3", HttpStatusCode.MultiStatus)]
    [InlineData("2026-03", HttpStatusCode.MultiStatus)]
    [InlineData("2026-09", HttpStatusCode.OK)]
    public async Task BatchRead_SomeIdsMissing_Is207BeforeAnd200From2026_09WithTheErrorsInside(string version, HttpStatusCode expected)
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.PostAsync(SandboxSession.ObjectsPath(version) + "/batch/read", new
        {
            properties = new[] { "email", "jobtitle" },
            inputs = new[] { new { id }, new { id = "424242" } },
        });

        Assert.Equal(expected, result.Status);
        Assert.Equal(1, result.Json["numErrors"]!.GetValue<int>());
        Assert.Equal(["424242"], result.Json["errors"]![0]!["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
        var properties = result.Results.Single()!["properties"]!.AsObject();
        Assert.True(properties.ContainsKey("jobtitle"));
        Assert.Null(properties["jobtitle"]);
    }

    [Theory]
    [InlineData("v3", HttpStatusCode.MultiStatus)]
    [InlineData("2026-03", HttpStatusCode.MultiStatus)]
    [InlineData("2026-09", HttpStatusCode.OK)]
    public async Task BatchUpdate_OneInvalidValue_Is207BeforeAnd200From2026_09WithTheErrorsInside(string version, HttpStatusCode expected)
    {
        await using var session = await SandboxSession.StartAsync();
        var good = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "good@example.com" });
        var bad = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "bad@example.com" });

        var result = await session.BatchUpdateAsync(version,
            new { id = good, properties = new Dictionary<string, string> { ["hs_lead_status"] = "OPEN" } },
            new { id = bad, properties = new Dictionary<string, string> { ["hs_lead_status"] = "MAYBE" }, objectWriteTraceId = "t-bad" });

        Assert.Equal(expected, result.Status);
        Assert.Equal(1, result.Json["numErrors"]!.GetValue<int>());
        Assert.Equal("t-bad", result.Json["errors"]![0]!["context"]!["objectWriteTraceId"]![0]!.GetValue<string>());
        Assert.Equal([good], result.Results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal("OPEN", session.Sandbox.Contacts.GetContact(good)!.Properties["hs_lead_status"]);
    }

    [Fact]
    public async Task BatchUpdate_2026_09_AllValid_Returns200WithoutErrors()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.BatchUpdateAsync("2026-09", new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Null(result.Json["errors"]);
        Assert.Null(result.Json["numErrors"]);
    }
}
