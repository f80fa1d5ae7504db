using System.Net;
using System.Net.Http.Headers;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox.Tests.Leads;

/// <summary>The portal around leads: no-Sales-Hub portals, owners, tasks, and the gate (auth, rate budget) shared with contacts.</summary>
public sealed class SalesPortalTests
{
    [Fact]
    public async Task PortalWithoutLeads_EveryLeadsCallAnswers403MissingScopesWhileTasksAndOwnersWork()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = LeadEndpointTests.AddContact(session);
        session.Sandbox.Leads.ObjectAvailable = false;

        var create = await session.PostAsync("/crm/objects/2026-03/leads", new
        {
            properties = new { hs_lead_name = "X" },
            associations = new[] { LeadEndpointTests.ContactAssociation(contactId) },
        });
        var search = await session.PostAsync("/crm/objects/2026-03/leads/search", new { limit = 10 });
        var read = await session.PostAsync("/crm/objects/2026-03/leads/batch/read", new { inputs = new[] { new { id = "1" } } });
        var associations = await session.GetAsync($"/crm/objects/2026-03/contacts/{contactId}/associations/leads");
        var owners = await session.GetAsync("/crm/owners/2026-03");
        var task = await session.PostAsync("/crm/objects/2026-03/tasks", TaskBody(contactId, SandboxOwners.DefaultOwnerIds[0]));

        Assert.All([create, search, read, associations], r => Assert.Equal(HttpStatusCode.Forbidden, r.Status));
        Assert.Equal("MISSING_SCOPES", create.Json["category"]!.GetValue<string>());
        Assert.Equal("crm.objects.leads.write", create.Json["errors"]![0]!["context"]!["requiredGranularScopes"]![0]!.GetValue<string>());
        Assert.Equal("crm.objects.leads.read", search.Json["errors"]![0]!["context"]!["requiredGranularScopes"]![0]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Created), (owners.Status, task.Status));
        Assert.Equal(0, session.Sandbox.Leads.Count);
    }

    [Fact]
    public async Task Owners_ListsActiveOwnersByDefaultAndArchivedOnesOnRequest()
    {
        await using var session = await SandboxSession.StartAsync();
        var leaver = session.Sandbox.Owners.Add("leaver@example.com", "Lea", "Ver");
        session.Sandbox.Owners.Archive(leaver.Id);

        var active = await session.GetAsync("/crm/owners/2026-03?limit=2");
        var next = await session.GetAsync("/crm/owners/2026-03?limit=2&after=" + active.Json["paging"]!["next"]!["after"]!.GetValue<string>());
        var archived = await session.GetAsync("/crm/v3/owners/?archived=true");
        var one = await session.GetAsync($"/crm/owners/2026-09/{SandboxOwners.DefaultOwnerIds[0]}");
        var gone = await session.GetAsync($"/crm/owners/2026-03/{leaver.Id}");

        Assert.Equal(SandboxOwners.DefaultOwnerIds, active.Results.Concat(next.Results).Select(o => o!["id"]!.GetValue<string>()));
        Assert.Null(next.Json["paging"]);
        Assert.Equal(leaver.Id, Assert.Single(archived.Results)!["id"]!.GetValue<string>());
        Assert.Equal(("ana.sales@example.com", "PERSON"), (one.Json["email"]!.GetValue<string>(), one.Json["type"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task Task_CreatedForAnOwnerAndContact_IsReadableByContactAndRequiresADueDate()
    {
        await using var session = await SandboxSession.StartAsync(o => o.SearchIndexLag = TimeSpan.Zero);
        var contactId = LeadEndpointTests.AddContact(session);
        var owner = SandboxOwners.DefaultOwnerIds[1];

        var created = await session.PostAsync("/crm/objects/2026-03/tasks", TaskBody(contactId, owner));
        var noDueDate = await session.PostAsync("/crm/objects/2026-03/tasks", new
        {
            properties = new { hs_task_subject = "Call" },
            associations = new[] { LeadEndpointTests.ContactAssociation(contactId, 204) },
        });
        var search = await session.PostAsync("/crm/objects/2026-03/tasks/search", new
        {
            filterGroups = new[] { new { filters = new[] { new { propertyName = "associations.contact", @operator = "EQ", value = contactId } } } },
            properties = new[] { "hs_task_subject", "hubspot_owner_id", "hs_task_status" },
        });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.BadRequest), (created.Status, noDueDate.Status));
        var task = Assert.Single(session.Sandbox.Tasks.ForContact(contactId));
        Assert.Equal(("Call the new MQL", owner, "NOT_STARTED", "2026-12-08T09:00:00.000Z"), (task.Subject, task.OwnerId, task.Status, task.Properties["hs_timestamp"]));
        Assert.Equal(task.Id, Assert.Single(search.Results)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task LeadCalls_ShareTheContactsRateBudgetAndAnswer429WhenItIsSpent()
    {
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.EnforceRateLimits = true;
            o.RequestsPerTenSeconds = 3;
        });
        var contactId = LeadEndpointTests.AddContact(session);

        var contacts = await session.GetAsync("/crm/objects/2026-03/contacts");
        var owners = await session.GetAsync("/crm/owners/2026-03");
        var lead = await session.PostAsync("/crm/objects/2026-03/leads", new
        {
            properties = new { hs_lead_name = "X" },
            associations = new[] { LeadEndpointTests.ContactAssociation(contactId) },
        });
        var refused = await session.PostAsync("/crm/objects/2026-03/leads/batch/read", new { inputs = new[] { new { id = "1" } } });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created), (contacts.Status, owners.Status, lead.Status));
        Assert.Equal("0", lead.Header("X-HubSpot-RateLimit-Remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("TEN_SECONDLY_ROLLING", refused.Json["policyName"]!.GetValue<string>());
        Assert.Equal(1, session.Sandbox.Stats.Requests(SalesEndpoint.LeadsBatchRead, 429));
    }

    [Fact]
    public async Task LeadCall_WithoutToken_Returns401()
    {
        await using var session = await SandboxSession.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(session.Sandbox.BaseUrl) };
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");

        var result = await ApiResult.ReadAsync(await anonymous.GetAsync(new Uri("/crm/objects/2026-03/leads/1", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("INVALID_AUTHENTICATION", result.Json["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task LeadPath_OnAnUnknownVersion_Returns404()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync("/crm/objects/2025-01/leads/1");

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
    }

    private static object TaskBody(string contactId, string ownerId) => new
    {
        properties = new
        {
            hs_task_subject = "Call the new MQL",
            hs_timestamp = "2026-12-08T09:00:00Z",
            hubspot_owner_id = ownerId,
            hs_task_priority = "HIGH",
            hs_task_type = "CALL",
        },
        associations = new[] { LeadEndpointTests.ContactAssociation(contactId, 204) },
    };
}
