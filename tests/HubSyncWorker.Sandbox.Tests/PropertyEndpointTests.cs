using System.Net;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class PropertyEndpointTests
{
    private static readonly object ScoreProperty = new
    {
        name = "hubsync_score",
        label = "HubSync score",
        type = "number",
        fieldType = "number",
        groupName = "hubsync",
    };

    [Fact]
    public async Task CreateProperty_NewThenSameNameAgain_Returns201Then409()
    {
        await using var session = await SandboxSession.StartAsync();
        var group = await session.PostAsync("/crm/v3/properties/contacts/groups", new { name = "hubsync", label = "HubSync" });

        var created = await session.PostAsync("/crm/v3/properties/contacts", ScoreProperty);
        var again = await session.PostAsync("/crm/v3/properties/contacts", ScoreProperty);
        var fetched = await session.GetAsync("/crm/v3/properties/contacts/hubsync_score");

        Assert.Equal(HttpStatusCode.Created, group.Status);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("error", again.Json["status"]!.GetValue<string>());
        Assert.NotNull(again.Json["correlationId"]);
        Assert.Equal("HubSync score", fetched.Json["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateGroup_ExistingName_Returns409()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.PostAsync("/crm/v3/properties/contacts/groups", new { name = "contactinformation", label = "Mine" });
        var list = await session.GetAsync("/crm/v3/properties/contacts/groups");

        Assert.Equal(HttpStatusCode.Conflict, result.Status);
        Assert.Equal("Contact information",
            list.Results.Single(g => g!["name"]!.GetValue<string>() == "contactinformation")!["label"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("number", "text", "[]")]
    [InlineData("enumeration", "select", "[]")]
    [InlineData("string", "select", "[]")]
    [InlineData("bogus", "text", "[]")]
    public async Task CreateProperty_InvalidTypeFieldTypeOrOptions_Returns400(string type, string fieldType, string options)
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.SendAsync(HttpMethod.Post, "/crm/v3/properties/contacts",
            $$"""{"name":"hubsync_x","label":"X","type":"{{type}}","fieldType":"{{fieldType}}","groupName":"contactinformation","options":{{options}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("VALIDATION_ERROR", result.Json["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateProperty_MissingRequiredFields_Returns400NamingThem()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.PostAsync("/crm/v3/properties/contacts", new { name = "hubsync_x", label = "X" });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Contains("type, fieldType, groupName", result.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetProperty_Lifecyclestage_HasTheEightDefaultStagesInOrder()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync("/crm/v3/properties/contacts/lifecyclestage");

        Assert.Equal("enumeration", result.Json["type"]!.GetValue<string>());
        Assert.Equal(
            ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"],
            result.Json["options"]!.AsArray().Select(o => o!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GetProperty_Unknown_Returns404()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync("/crm/v3/properties/contacts/nope_nope");

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Equal("OBJECT_NOT_FOUND", result.Json["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateProperty_NewEnumerationOption_BecomesWritable()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        var tooEarly = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["hs_lead_status"] = "NURTURE" } });

        var patched = await session.SendAsync(HttpMethod.Patch, "/crm/v3/properties/contacts/hs_lead_status",
            """{"options":[{"label":"New","value":"NEW"},{"label":"Nurture","value":"NURTURE"}]}""");
        var written = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["hs_lead_status"] = "NURTURE" } });

        Assert.Equal(HttpStatusCode.MultiStatus, tooEarly.Status);
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(2, patched.Json["options"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, written.Status);
        Assert.Equal("NURTURE", session.Sandbox.Contacts.GetContact(id)!.Properties["hs_lead_status"]);
    }

    [Fact]
    public async Task ListProperties_IncludesTheBuiltInsTheWorkerReads()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync("/crm/v3/properties/contacts");

        var names = result.Results.Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "email", "hs_analytics_source", "recent_conversion_event_name", "num_associated_deals", "hs_lead_status", "total_revenue" }, names);
    }
}
