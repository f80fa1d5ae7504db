using System.Net;
using System.Text.Json.Nodes;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Leads;
using HubSyncWorker.Sandbox.Owners;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests.Leads;

public sealed class LeadEndpointTests
{
    private const string Leads = "/crm/objects/2026-03/leads";
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    internal static object ContactAssociation(string contactId, int typeId = 578) =>
        new { to = new { id = contactId }, types = new[] { new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = typeId } } };

    internal static string AddContact(SandboxSession session, string email = "lead@example.com") =>
        session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = email });

    [Fact]
    public async Task Create_WithContactAssociation_Returns201InTheDefaultPipelineNewStageOpen()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var owner = SandboxOwners.DefaultOwnerIds[1];

        var result = await session.PostAsync(Leads, new
        {
            properties = new Dictionary<string, string> { ["hs_lead_name"] = "Jane Doe", ["hubspot_owner_id"] = owner, ["hs_lead_label"] = "WARM" },
            associations = new[] { ContactAssociation(contactId) },
        });

        Assert.Equal(HttpStatusCode.Created, result.Status);
        var properties = result.Json["properties"]!;
        Assert.Equal((SandboxLeadPipeline.PipelineId, SandboxLeadPipeline.New, owner, contactId, "true"), (
            properties["hs_pipeline"]!.GetValue<string>(), properties["hs_pipeline_stage"]!.GetValue<string>(), properties["hubspot_owner_id"]!.GetValue<string>(),
            properties["hs_primary_contact_id"]!.GetValue<string>(), properties["hs_lead_is_open"]!.GetValue<string>()));
        var lead = Assert.Single(session.Sandbox.Leads.ForContact(contactId));
        Assert.Equal((result.Json["id"]!.GetValue<string>(), "Jane Doe"), (lead.Id, lead.Properties["hs_lead_name"]));
        Assert.Equal(1, session.Sandbox.Stats.Requests(SalesEndpoint.LeadsCreate, 201));
    }

    [Fact]
    public async Task Create_WithoutContactAssociation_Returns400AndCreatesNothing()
    {
        await using var session = await SandboxSession.StartAsync();

        var none = await session.PostAsync(Leads, new { properties = new { hs_lead_name = "Nobody" } });
        var empty = await session.PostAsync(Leads, new { properties = new { hs_lead_name = "Nobody" }, associations = Array.Empty<object>() });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (none.Status, empty.Status));
        Assert.Equal("VALIDATION_ERROR", none.Json["category"]!.GetValue<string>());
        Assert.Contains("associated with an existing contact", none.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, session.Sandbox.Leads.Count);
    }

    [Theory]
    [InlineData("999999", 578)]
    [InlineData(null, 610)]
    [InlineData(null, 1)]
    public async Task Create_AssociatedToAnUnknownContactOrWithAWrongType_Returns400(string? contactId, int typeId)
    {
        await using var session = await SandboxSession.StartAsync();
        var id = contactId ?? AddContact(session);

        var result = await session.PostAsync(Leads, new { properties = new { hs_lead_name = "X" }, associations = new[] { ContactAssociation(id, typeId) } });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(0, session.Sandbox.Leads.Count);
    }

    [Theory]
    [InlineData("hs_pipeline_stage", "closedwon", "INVALID_OPTION")]
    [InlineData("hubspot_owner_id", "123", "INVALID_OWNER_ID")]
    [InlineData("hs_lead_is_open", "false", "READ_ONLY_VALUE")]
    [InlineData("no_such_property", "x", "PROPERTY_DOESNT_EXIST")]
    [InlineData("hs_lead_label", "LUKEWARM", "INVALID_OPTION")]
    public async Task Create_WithAnInvalidValue_Returns400NamingThePropertyAndCode(string name, string value, string code)
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);

        var result = await session.PostAsync(Leads, new
        {
            properties = new Dictionary<string, string> { ["hs_lead_name"] = "X", [name] = value },
            associations = new[] { ContactAssociation(contactId) },
        });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        var error = Assert.Single(result.Json["errors"]!.AsArray());
        Assert.Equal((code, name), (error!["code"]!.GetValue<string>(), error["context"]!["propertyName"]![0]!.GetValue<string>()));
        Assert.Equal(0, session.Sandbox.Leads.Count);
    }

    [Fact]
    public async Task Create_WithoutName_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);

        var result = await session.PostAsync(Leads, new { properties = new { hs_lead_label = "HOT" }, associations = new[] { ContactAssociation(contactId) } });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("hs_lead_name", result.Json["errors"]![0]!["context"]!["propertyName"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithAnArchivedOwner_Returns400InvalidOwnerId()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var leaver = session.Sandbox.Owners.Add("leaver@example.com", "Lea", "Ver");
        session.Sandbox.Owners.Archive(leaver.Id);

        var result = await session.PostAsync(Leads, new
        {
            properties = new { hs_lead_name = "X", hubspot_owner_id = leaver.Id },
            associations = new[] { ContactAssociation(contactId) },
        });

        Assert.Equal("INVALID_OWNER_ID", result.Json["errors"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task MoveToStage_AsASalesperson_RecordsEachStageWithItsTimeAndUser()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o => o.TimeProvider = time);
        var contactId = AddContact(session);
        var owner = session.Sandbox.Owners.Get(SandboxOwners.DefaultOwnerIds[0])!;
        var created = await session.PostAsync(Leads, new { properties = new { hs_lead_name = "X", hubspot_owner_id = owner.Id }, associations = new[] { ContactAssociation(contactId) } });
        var leadId = created.Json["id"]!.GetValue<string>();

        time.Advance(TimeSpan.FromHours(3));
        session.Sandbox.Leads.MoveToStage(leadId, SandboxLeadPipeline.Attempting, owner.Id);
        time.Advance(TimeSpan.FromHours(1));
        session.Sandbox.Leads.MoveToStage(leadId, SandboxLeadPipeline.Qualified, owner.Id);
        var read = await session.PostAsync(Leads + "/batch/read", new
        {
            properties = new[] { "hs_pipeline_stage", "hs_lead_is_open" },
            propertiesWithHistory = new[] { "hs_pipeline_stage" },
            inputs = new[] { new { id = leadId } },
        });

        Assert.Equal(HttpStatusCode.OK, read.Status);
        var lead = read.Results[0]!;
        Assert.Equal((SandboxLeadPipeline.Qualified, "false"), (lead["properties"]!["hs_pipeline_stage"]!.GetValue<string>(), lead["properties"]!["hs_lead_is_open"]!.GetValue<string>()));
        var history = lead["propertiesWithHistory"]!["hs_pipeline_stage"]!.AsArray().Select(v => (
            v!["value"]!.GetValue<string>(), DateTimeOffset.Parse(v["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), v["sourceType"]!.GetValue<string>())).ToList();
        Assert.Equal(
            [(SandboxLeadPipeline.Qualified, Start.AddHours(4), "CRM_UI"), (SandboxLeadPipeline.Attempting, Start.AddHours(3), "CRM_UI"), (SandboxLeadPipeline.New, Start, "INTEGRATION")],
            history);
        Assert.Equal($"userId:{owner.UserId}", session.Sandbox.Leads.GetHistory(leadId, "hs_pipeline_stage")[0].SourceId);
    }

    [Fact]
    public async Task Disqualify_AsASalesperson_ClosesTheLeadWithTheReason()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var leadId = session.Sandbox.Leads.Create(contactId, "X", SandboxOwners.DefaultOwnerIds[0]);

        session.Sandbox.Leads.Disqualify(leadId, "NOT_A_GOOD_FIT");
        var read = await session.GetAsync($"{Leads}/{leadId}?properties=hs_pipeline_stage,hs_lead_disqualification_reason,hs_lead_is_open&associations=contacts");

        Assert.Equal((SandboxLeadPipeline.Disqualified, "NOT_A_GOOD_FIT", "false"), (
            read.Json["properties"]!["hs_pipeline_stage"]!.GetValue<string>(),
            read.Json["properties"]!["hs_lead_disqualification_reason"]!.GetValue<string>(),
            read.Json["properties"]!["hs_lead_is_open"]!.GetValue<string>()));
        Assert.Equal(contactId, read.Json["associations"]!["contacts"]!["results"]![0]!["id"]!.GetValue<string>());
        Assert.Throws<ArgumentException>(() => session.Sandbox.Leads.MoveToStage(leadId, "closedwon"));
    }

    [Fact]
    public async Task Update_ToAStageOutsideThePipeline_Returns400AndKeepsTheStage()
    {
        await using var session = await SandboxSession.StartAsync();
        var leadId = session.Sandbox.Leads.Create(AddContact(session), "X");

        var bad = await session.SendAsync(HttpMethod.Patch, $"{Leads}/{leadId}", """{"properties":{"hs_pipeline_stage":"appointmentscheduled"}}""");
        var good = await session.SendAsync(HttpMethod.Patch, $"{Leads}/{leadId}", """{"properties":{"hs_pipeline_stage":"connected-stage-id"}}""");
        var missing = await session.SendAsync(HttpMethod.Patch, $"{Leads}/424242", """{"properties":{"hs_pipeline_stage":"connected-stage-id"}}""");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.NotFound), (bad.Status, good.Status, missing.Status));
        Assert.Equal(SandboxLeadPipeline.Connected, session.Sandbox.Leads.Get(leadId)!.Stage);
        Assert.Equal(2, session.Sandbox.Leads.GetHistory(leadId, "hs_pipeline_stage").Count);
    }

    [Fact]
    public async Task Search_ByStageOwnerAndContact_SeesAWriteOnlyAfterTheIndexLag()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o => o.TimeProvider = time);
        var contactId = AddContact(session);
        var owner = SandboxOwners.DefaultOwnerIds[2];
        var leadId = session.Sandbox.Leads.Create(contactId, "X", owner);
        session.Sandbox.Leads.Create(AddContact(session, "other@example.com"), "Y", owner);
        object Query(string property, string value) => new
        {
            filterGroups = new[]
            {
                new
                {
                    filters = new object[]
                    {
                        new { propertyName = property, @operator = "EQ", value },
                        new { propertyName = "hubspot_owner_id", @operator = "EQ", value = owner },
                        new { propertyName = "hs_pipeline_stage", @operator = "IN", values = new[] { SandboxLeadPipeline.New, SandboxLeadPipeline.Attempting } },
                    },
                },
            },
            properties = new[] { "hs_pipeline_stage" },
            limit = 10,
        };

        var beforeLag = await session.PostAsync(Leads + "/search", Query("associations.contact", contactId));
        time.Advance(TimeSpan.FromSeconds(3));
        var byContact = await session.PostAsync(Leads + "/search", Query("associations.contact", contactId));
        var byPrimary = await session.PostAsync(Leads + "/search", Query("hs_primary_contact_id", contactId));

        Assert.Equal(0, beforeLag.Json["total"]!.GetValue<int>());
        Assert.Equal(leadId, Assert.Single(byContact.Results)!["id"]!.GetValue<string>());
        Assert.Equal(leadId, Assert.Single(byPrimary.Results)!["id"]!.GetValue<string>());
        Assert.Null(byContact.Header("X-HubSpot-RateLimit-Remaining"));
    }

    [Fact]
    public async Task AssociationRead_ContactToLeads_IsConsistentRightAfterTheCreate()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var created = await session.PostAsync(Leads, new { properties = new { hs_lead_name = "X" }, associations = new[] { ContactAssociation(contactId, 608) } });
        var leadId = created.Json["id"]!.GetValue<string>();

        var dated = await session.GetAsync($"/crm/objects/2026-03/contacts/{contactId}/associations/leads");
        var v4 = await session.GetAsync($"/crm/v4/objects/contacts/{contactId}/associations/0-136");
        var reverse = await session.GetAsync($"/crm/objects/2026-03/leads/{leadId}/associations/contacts");

        Assert.Equal(leadId, Assert.Single(dated.Results)!["toObjectId"]!.GetValue<string>());
        Assert.Equal(609, dated.Results[0]!["associationTypes"]![0]!["typeId"]!.GetValue<int>());
        Assert.Equal(long.Parse(leadId, System.Globalization.CultureInfo.InvariantCulture), Assert.Single(v4.Results)!["toObjectId"]!.GetValue<long>());
        Assert.Equal([578, 608], reverse.Results[0]!["associationTypes"]!.AsArray().Select(t => t!["typeId"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("2026-03", HttpStatusCode.MultiStatus)]
    [InlineData("v3", HttpStatusCode.MultiStatus)]
    [InlineData("2026-09", HttpStatusCode.OK)]
    public async Task BatchRead_WithAnUnknownId_AnswersPerVersionWithObjectNotFound(string version, HttpStatusCode expected)
    {
        await using var session = await SandboxSession.StartAsync();
        var leadId = session.Sandbox.Leads.Create(AddContact(session), "X");
        var path = version == "v3" ? "/crm/v3/objects/leads" : $"/crm/objects/{version}/leads";

        var result = await session.PostAsync(path + "/batch/read", new { properties = new[] { "hs_lead_name" }, inputs = new[] { new { id = leadId }, new { id = "1" } } });

        Assert.Equal(expected, result.Status);
        Assert.Equal(leadId, Assert.Single(result.Results)!["id"]!.GetValue<string>());
        Assert.Equal("OBJECT_NOT_FOUND", result.Json["errors"]![0]!["category"]!.GetValue<string>());
        Assert.IsType<JsonObject>(result.Json["errors"]![0]!["subCategory"]);
    }

    [Fact]
    public async Task BatchRead_WithHistoryForMoreThan50_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.PostAsync(Leads + "/batch/read", new
        {
            propertiesWithHistory = new[] { "hs_pipeline_stage" },
            inputs = Enumerable.Range(1, 51).Select(i => new { id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
    }

    [Fact]
    public async Task BatchCreate_WithOneInputWithoutContact_Returns400AndCreatesNone()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);

        var result = await session.PostAsync(Leads + "/batch/create", new
        {
            inputs = new object[]
            {
                new { properties = new { hs_lead_name = "A" }, associations = new[] { ContactAssociation(contactId) } },
                new { properties = new { hs_lead_name = "B" } },
            },
        });
        var good = await session.PostAsync(Leads + "/batch/create", new
        {
            inputs = new object[] { new { properties = new { hs_lead_name = "A" }, associations = new[] { ContactAssociation(contactId) } } },
        });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Created), (result.Status, good.Status));
        Assert.Single(session.Sandbox.Leads.ForContact(contactId));
    }

    [Fact]
    public async Task BatchUpdate_UnknownIdAnswers207AndAnInvalidValueRefusesTheWholeBatch()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var first = session.Sandbox.Leads.Create(contactId, "A");
        var second = session.Sandbox.Leads.Create(contactId, "B");

        var partial = await session.PostAsync(Leads + "/batch/update", new
        {
            inputs = new object[]
            {
                new { id = first, properties = new { hubspot_owner_id = SandboxOwners.DefaultOwnerIds[0] } },
                new { id = "999", properties = new { hubspot_owner_id = SandboxOwners.DefaultOwnerIds[0] } },
            },
        });
        var refused = await session.PostAsync(Leads + "/batch/update", new
        {
            inputs = new object[]
            {
                new { id = first, properties = new { hs_pipeline_stage = SandboxLeadPipeline.Connected } },
                new { id = second, properties = new { hs_pipeline_stage = "closedwon" } },
            },
        });

        Assert.Equal((HttpStatusCode.MultiStatus, HttpStatusCode.BadRequest), (partial.Status, refused.Status));
        Assert.Equal(["999"], partial.Json["errors"]![0]!["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal((SandboxOwners.DefaultOwnerIds[0], SandboxLeadPipeline.New, SandboxLeadPipeline.New), (
            session.Sandbox.Leads.Get(first)!.OwnerId, session.Sandbox.Leads.Get(first)!.Stage, session.Sandbox.Leads.Get(second)!.Stage));
    }

    [Fact]
    public async Task Archive_ThenGet_Returns204Then404()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = AddContact(session);
        var leadId = session.Sandbox.Leads.Create(contactId, "X");

        var archived = await session.SendAsync(HttpMethod.Delete, $"{Leads}/{leadId}", "");
        var read = await session.GetAsync($"{Leads}/{leadId}");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (archived.Status, read.Status));
        Assert.Equal("OBJECT_NOT_FOUND", read.Json["category"]!.GetValue<string>());
        Assert.Empty(session.Sandbox.Leads.ForContact(contactId));
    }
}
