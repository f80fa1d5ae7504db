using System.Net;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class ValidationRuleTests
{
    [Fact]
    public async Task BatchUpdate_2026_09_InputLeavingARequiredPropertyEmpty_Fails400NamingItAndWritesNothing()
    {
        await using var session = await SandboxSession.StartAsync();
        var contacts = session.Sandbox.Contacts;
        session.Sandbox.Properties.RequireOnWrite("company");
        var withCompany = contacts.AddContact(new Dictionary<string, string?> { ["company"] = "Acme" });
        var without = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "b@example.com" });
        var cleared = contacts.AddContact(new Dictionary<string, string?> { ["company"] = "Initech" });

        var result = await session.BatchUpdateAsync("2026-09",
            new { id = withCompany, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } },
            new { id = without, properties = new Dictionary<string, string> { ["jobtitle"] = "CFO" }, objectWriteTraceId = "t-without" },
            new { id = cleared, properties = new Dictionary<string, string> { ["company"] = "" } });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("error", result.Json["status"]!.GetValue<string>());
        Assert.Equal("VALIDATION_ERROR", result.Json["category"]!.GetValue<string>());
        var errors = result.Json["errors"]!.AsArray();
        Assert.Equal([without, cleared], errors.Select(e => e!["context"]!["ids"]!.AsArray().Single()!.GetValue<string>()));
        Assert.All(errors, e =>
        {
            Assert.Equal("MISSING_REQUIRED_PROPERTY", e!["code"]!.GetValue<string>());
            Assert.Equal(["company"], e["context"]!["propertyName"]!.AsArray().Select(p => p!.GetValue<string>()));
            Assert.Contains("company", e["message"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        Assert.Equal("t-without", errors[0]!["context"]!["objectWriteTraceId"]![0]!.GetValue<string>());
        Assert.Null(errors[1]!["context"]!["objectWriteTraceId"]);
        Assert.False(contacts.GetContact(withCompany)!.Properties.ContainsKey("jobtitle"));
        Assert.Equal("Initech", contacts.GetContact(cleared)!.Properties["company"]);
        Assert.Equal(0, session.Sandbox.Stats.WritesChanged);
    }

    [Fact]
    public async Task BatchUpdate_2026_09_ConditionalRule_AppliesOnlyWhenTheContactEndsUpInTheNamedStage()
    {
        await using var session = await SandboxSession.StartAsync();
        var contacts = session.Sandbox.Contacts;
        session.Sandbox.Properties.RequireOnWriteWhen("company", "lifecyclestage", "customer");
        var toCustomer = contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "opportunity" });
        var toOpportunity = contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "lead" });
        var customerWithCompany = contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "opportunity" });

        var refused = await session.BatchUpdateAsync("2026-09",
            new { id = toCustomer, properties = new Dictionary<string, string> { ["lifecyclestage"] = "customer" }, objectWriteTraceId = "t-1" });
        var accepted = await session.BatchUpdateAsync("2026-09",
            new { id = toOpportunity, properties = new Dictionary<string, string> { ["lifecyclestage"] = "opportunity" } },
            new { id = customerWithCompany, properties = new Dictionary<string, string> { ["lifecyclestage"] = "customer", ["company"] = "Acme" } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var error = refused.Json["errors"]!.AsArray().Single()!;
        Assert.Equal("MISSING_CONDITIONAL_REQUIRED_PROPERTY", error["code"]!.GetValue<string>());
        Assert.Equal(["company"], error["context"]!["propertyName"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal([toCustomer], error["context"]!["ids"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("opportunity", contacts.GetContact(toCustomer)!.Properties["lifecyclestage"]);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal("customer", contacts.GetContact(customerWithCompany)!.Properties["lifecyclestage"]);
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("2026-03")]
    public async Task BatchUpdate_BeforeThe2026_09Version_DoesNotEnforceTheRules(string version)
    {
        await using var session = await SandboxSession.StartAsync();
        session.Sandbox.Properties.RequireOnWrite("company");
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.BatchUpdateAsync(version, new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("CTO", session.Sandbox.Contacts.GetContact(id)!.Properties["jobtitle"]);
    }

    [Fact]
    public async Task RequireOnWrite_UnknownProperty_Throws()
    {
        await using var session = await SandboxSession.StartAsync();

        Assert.Throws<ArgumentException>(() => session.Sandbox.Properties.RequireOnWrite("no_such_property"));
        Assert.Throws<ArgumentException>(() => session.Sandbox.Properties.RequireOnWriteWhen("company", "no_such_property", "x"));
        Assert.Empty(session.Sandbox.Properties.ValidationRules);
    }
}
