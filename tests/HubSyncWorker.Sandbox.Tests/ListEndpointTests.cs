using System.Net;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class ListEndpointTests
{
    [Fact]
    public async Task List_PagingToTheEnd_ReturnsEveryContactOnceAndNoNextOnTheLastPage()
    {
        await using var session = await SandboxSession.StartAsync();
        for (var i = 0; i < 250; i++)
        {
            session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = $"c{i}@example.com" });
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await session.GetAsync($"/crm/v3/objects/contacts?limit=100{(after is null ? "" : "&after=" + after)}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(page.Results.Select(r => r!["id"]!.GetValue<string>()));
            after = page.Json["paging"]?["next"]?["after"]?.GetValue<string>();
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(250, seen.Count);
        Assert.Equal(250, seen.Distinct().Count());
        Assert.Equal(seen.OrderBy(long.Parse), seen);
    }

    [Fact]
    public async Task List_ExactlyOneFullPage_HasNoNextPage()
    {
        await using var session = await SandboxSession.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["firstname"] = "A" });
        }

        var page = await session.GetAsync("/crm/v3/objects/contacts?limit=100");

        Assert.Equal(100, page.Results.Count);
        Assert.Null(page.Json["paging"]);
    }

    [Fact]
    public async Task List_PropertiesParameter_ReturnsRequestedAndDefaultPropertiesOnly()
    {
        await using var session = await SandboxSession.StartAsync();
        session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com", ["firstname"] = "Ada", ["company"] = "Acme" });

        var page = await session.GetAsync("/crm/v3/objects/contacts?properties=company,jobtitle");

        var properties = page.Results.Single()!["properties"]!.AsObject();
        Assert.Equal(["company", "jobtitle", "hs_object_id", "createdate", "lastmodifieddate"], properties.Select(p => p.Key));
        Assert.Equal("Acme", properties["company"]!.GetValue<string>());
        Assert.Null(properties["jobtitle"]);
        Assert.Equal("1", properties["hs_object_id"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(properties["lastmodifieddate"]!.GetValue<string>(), out _));
    }

    [Fact]
    public async Task List_PropertiesWithHistory_ListsEveryValueNewestFirstAndCapsThePageAt50()
    {
        await using var session = await SandboxSession.StartAsync();
        var contacts = session.Sandbox.Contacts;
        var id = contacts.AddContact(new Dictionary<string, string?> { ["recent_conversion_event_name"] = "Ebook" });
        for (var i = 0; i < 70; i++)
        {
            contacts.AddContact(new Dictionary<string, string?> { ["firstname"] = "x" });
        }

        contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["recent_conversion_event_name"] = "Webinar" });
        contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["recent_conversion_event_name"] = "Demo request" }, changeSource: "FORM", sourceId: "form-1");

        var page = await session.GetAsync("/crm/v3/objects/contacts?limit=100&propertiesWithHistory=recent_conversion_event_name");

        Assert.Equal(50, page.Results.Count);
        var history = page.Results[0]!["propertiesWithHistory"]!["recent_conversion_event_name"]!.AsArray();
        Assert.Equal(["Demo request", "Webinar", "Ebook"], history.Select(h => h!["value"]!.GetValue<string>()));
        Assert.Equal("FORM", history[0]!["sourceType"]!.GetValue<string>());
        Assert.Equal("form-1", history[0]!["sourceId"]!.GetValue<string>());
        Assert.NotNull(page.Json["paging"]?["next"]?["after"]);
    }

    [Fact]
    public async Task List_AssociationsDeals_ListsTheDealsAndCountsThem()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "d@example.com" });
        session.Sandbox.Contacts.AssociateDeal(id, 901);
        session.Sandbox.Contacts.AssociateDeal(id, 902);

        var page = await session.GetAsync("/crm/v3/objects/contacts?associations=deals&properties=num_associated_deals");

        var record = page.Results.Single()!;
        Assert.Equal("2", record["properties"]!["num_associated_deals"]!.GetValue<string>());
        var deals = record["associations"]!["deals"]!["results"]!.AsArray();
        Assert.Equal(["901", "902"], deals.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Equal("contact_to_deal", deals[0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_DeletedAndMergedContacts_AreLeftOutUnlessArchivedIsRequested()
    {
        await using var session = await SandboxSession.StartAsync();
        var contacts = session.Sandbox.Contacts;
        var kept = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        var deleted = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "b@example.com" });
        var merged = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "c@example.com", ["phone"] = "+1 555" });
        Assert.True(contacts.Delete(deleted));
        Assert.True(contacts.Merge(kept, merged));

        var active = await session.GetAsync("/crm/v3/objects/contacts?properties=phone");
        var archived = await session.GetAsync("/crm/v3/objects/contacts?archived=true");

        Assert.Equal([kept], active.Results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal("+1 555", active.Results[0]!["properties"]!["phone"]!.GetValue<string>());
        Assert.Equal([deleted], archived.Results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal(1, contacts.Count);
    }

    [Fact]
    public async Task List_InvalidCursor_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();

        var page = await session.GetAsync("/crm/v3/objects/contacts?after=not-a-cursor!");

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("VALIDATION_ERROR", page.Json["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddContact_InvalidEnumerationValue_Throws()
    {
        await using var session = await SandboxSession.StartAsync();

        var error = Assert.Throws<ArgumentException>(() =>
            session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "prospect" }));
        Assert.Contains("lifecyclestage", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, session.Sandbox.Contacts.Count);
    }
}
