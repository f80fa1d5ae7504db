using System.Net;
using System.Text.Json.Nodes;
using HubSyncWorker.Sandbox.Faults;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests;

/// <summary>The limits and shapes the sandbox enforces by default because HubSpot does (HUBSPOT.md), and their leniency switches.</summary>
public sealed class StrictLimitTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("v3")]
    [InlineData("2026-03")]
    [InlineData("2026-09")]
    public async Task BatchRead_WithHistoryAndMoreThan50Inputs_Returns400WithHubSpotsMessage(string version)
    {
        await using var session = await SandboxSession.StartAsync();
        var ids = Enumerable.Range(0, 100).Select(_ => session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["firstname"] = "A" })).ToList();
        var path = SandboxSession.ObjectsPath(version) + "/batch/read";

        var refused = await session.PostAsync(path, new { propertiesWithHistory = new[] { "firstname" }, inputs = ids.Take(51).Select(id => new { id }) });
        var fifty = await session.PostAsync(path, new { propertiesWithHistory = new[] { "firstname" }, inputs = ids.Take(50).Select(id => new { id }) });
        var hundredWithoutHistory = await session.PostAsync(path, new { propertiesWithHistory = Array.Empty<string>(), inputs = ids.Select(id => new { id }) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("VALIDATION_ERROR", refused.Json["category"]!.GetValue<string>());
        Assert.Equal("The maximum number of inputs supported in a batch request for property histories is 50", refused.Json["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, fifty.Status);
        Assert.Equal(50, fifty.Results.Count);
        Assert.Equal(HttpStatusCode.OK, hundredWithoutHistory.Status);
        Assert.Equal(100, hundredWithoutHistory.Results.Count);
    }

    [Fact]
    public async Task BatchErrors_ByDefault_CarrySubCategoryAsAnObject()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var read = await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { inputs = new[] { new { id = "424242" } } });
        var update = await session.BatchUpdateAsync(
            new { id = "999", properties = new Dictionary<string, string> { ["jobtitle"] = "CEO" } },
            new { id, properties = new Dictionary<string, string> { ["hs_lead_status"] = "MAYBE" } });

        Assert.IsType<JsonObject>(read.Json["errors"]![0]!["subCategory"]);
        var errors = update.Json["errors"]!.AsArray();
        Assert.Equal("OBJECT_NOT_FOUND", errors[0]!["category"]!.GetValue<string>());
        Assert.IsType<JsonObject>(errors[0]!["subCategory"]);
        Assert.Equal("VALIDATION_ERROR", errors[1]!["category"]!.GetValue<string>());
        Assert.Equal("INVALID_OPTION", errors[1]!["subCategory"]!["codes"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchErrors_WithTheSubCategoryLeniency_CarryNone()
    {
        await using var session = await SandboxSession.StartAsync(o => o.WriteSubCategoryInBatchErrors = false);

        var read = await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { inputs = new[] { new { id = "424242" } } });

        Assert.Equal(HttpStatusCode.MultiStatus, read.Status);
        Assert.Null(read.Json["errors"]![0]!["subCategory"]);
    }

    [Fact]
    public async Task TopLevelError_KeepsSubCategoryAsAString()
    {
        await using var session = await SandboxSession.StartAsync();
        var property = new { name = "hubsync_x", label = "X", type = "string", fieldType = "text", groupName = "contactinformation" };

        await session.PostAsync("/crm/v3/properties/contacts", property);
        var conflict = await session.PostAsync("/crm/v3/properties/contacts", property);

        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("PropertyValidationError.PROPERTY_ALREADY_EXISTS", conflict.Json["subCategory"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_ByDefault_SeesANewContactOnlyAfterAFewSeconds()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o => o.TimeProvider = time);
        session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "new@example.com" });

        var atOnce = await session.SearchAsync(new { limit = 10 });
        time.Advance(TimeSpan.FromSeconds(2.9));
        var almost = await session.SearchAsync(new { limit = 10 });
        time.Advance(TimeSpan.FromSeconds(0.1));
        var indexed = await session.SearchAsync(new { limit = 10 });

        Assert.Equal(TimeSpan.FromSeconds(3), new SandboxOptions().SearchIndexLag);
        Assert.Equal(0, atOnce.Json["total"]!.GetValue<int>());
        Assert.Equal(0, almost.Json["total"]!.GetValue<int>());
        Assert.Equal(1, indexed.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Requests_ByDefault_CarryTheDailyLimitHeadersOfAFreePrivateApp()
    {
        await using var session = await SandboxSession.StartAsync(o => o.EnforceRateLimits = true);

        var list = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal("100", list.Header("X-HubSpot-RateLimit-Max"));
        Assert.Equal("250000", list.Header("X-HubSpot-RateLimit-Daily"));
        Assert.Equal("249999", list.Header("X-HubSpot-RateLimit-Daily-Remaining"));
    }

    [Fact]
    public async Task Search_SevenFiltersInOneGroup_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();
        var filter = new { propertyName = "email", @operator = "HAS_PROPERTY" };

        var six = await session.SearchAsync(new { filterGroups = new[] { new { filters = Enumerable.Repeat(filter, 6).ToArray() } } });
        var seven = await session.SearchAsync(new { filterGroups = new[] { new { filters = Enumerable.Repeat(filter, 7).ToArray() } } });

        Assert.Equal(HttpStatusCode.OK, six.Status);
        Assert.Equal(HttpStatusCode.BadRequest, seven.Status);
        Assert.Equal("VALIDATION_ERROR", seven.Json["category"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(423, "LOCKED")]
    [InlineData(477, "MIGRATION_IN_PROGRESS")]
    public async Task InjectedLockOrMigrationFault_IsAnsweredWithRetryAfterAndAnErrorBody(int status, string category)
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        session.Sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchUpdate, SandboxFault.Status(status, TimeSpan.FromSeconds(2)));

        var faulted = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } });
        var next = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } });

        Assert.Equal((HttpStatusCode)status, faulted.Status);
        Assert.Equal("2", faulted.Header("Retry-After"));
        Assert.Equal("error", faulted.Json["status"]!.GetValue<string>());
        Assert.Equal(category, faulted.Json["category"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task BatchUpdate_StringOver65536Characters_IsRefused()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var atLimit = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["jobtitle"] = new string('x', 65_536) } });
        var over = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["jobtitle"] = new string('y', 65_537) } });

        Assert.Equal(HttpStatusCode.OK, atLimit.Status);
        Assert.Equal(HttpStatusCode.MultiStatus, over.Status);
        Assert.Equal(65_536, session.Sandbox.Contacts.GetContact(id)!.Properties["jobtitle"].Length);
    }
}
