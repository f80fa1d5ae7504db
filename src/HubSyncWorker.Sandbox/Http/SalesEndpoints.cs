using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Engagements;
using HubSyncWorker.Sandbox.Leads;
using HubSyncWorker.Sandbox.Owners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>The names the sandbox gives its lead, task, owner and association endpoints in stats, faults and the request log.</summary>
public static class SalesEndpoint
{
    public const string LeadsCreate = "leads.create";
    public const string LeadsBatchCreate = "leads.batchCreate";
    public const string LeadsGet = "leads.get";
    public const string LeadsUpdate = "leads.update";
    public const string LeadsArchive = "leads.archive";
    public const string LeadsBatchRead = "leads.batchRead";
    public const string LeadsBatchUpdate = "leads.batchUpdate";
    public const string LeadsSearch = "leads.search";
    public const string TasksCreate = "tasks.create";
    public const string TasksGet = "tasks.get";
    public const string TasksBatchRead = "tasks.batchRead";
    public const string TasksSearch = "tasks.search";
    public const string OwnersList = "owners.list";
    public const string OwnersGet = "owners.get";
    public const string AssociationsRead = "associations.read";
}

/// <summary>
/// The sales side of the portal (leads, owners, tasks) and its routes, behind the same gate as the contact endpoints: auth, rate
/// budget (search calls on the search budget), injected faults, latency, stats, and one set of paths per API version.
/// </summary>
internal sealed class SandboxSales
{
    private static readonly (SandboxApiVersion Version, string Objects, string Owners)[] Prefixes =
    [
        (SandboxApiVersion.V3, "/crm/v3/objects", "/crm/v3/owners"),
        (SandboxApiVersion.March2026, "/crm/objects/2026-03", "/crm/owners/2026-03"),
        (SandboxApiVersion.September2026, "/crm/objects/2026-09", "/crm/owners/2026-09"),
    ];

    private SandboxSales(SandboxOwners owners, SandboxLeadStore leads, SandboxTaskStore tasks)
    {
        Owners = owners;
        Leads = leads;
        Tasks = tasks;
    }

    public SandboxOwners Owners { get; }

    public SandboxLeadStore Leads { get; }

    public SandboxTaskStore Tasks { get; }

    /// <summary>Creates the sales stores and maps their endpoints on <paramref name="app"/>.</summary>
    public static SandboxSales Map(WebApplication app, SandboxContactStore contacts, SandboxOptions options)
    {
        var owners = new SandboxOwners(options.TimeProvider);
        var leads = new SandboxLeadStore(contacts, owners, options.TimeProvider, options.SearchIndexLag);
        var tasks = new SandboxTaskStore(owners, options.TimeProvider, options.SearchIndexLag);
        var leadEndpoints = new CrmObjectEndpoints(
            new CrmObjectKind("leads", new HashSet<int> { 578, 608 }, RequiresContact: true, "lead_to_contact", "crm.objects.leads.read", "crm.objects.leads.write", () => leads.ObjectAvailable),
            leads.Table, leads.ContactKey, options);
        var taskEndpoints = new CrmObjectEndpoints(
            new CrmObjectKind("tasks", new HashSet<int> { 204 }, RequiresContact: false, "task_to_contact", "crm.objects.contacts.read", "crm.objects.contacts.write", () => true),
            tasks.Table, leads.ContactKey, options);
        var ownerEndpoints = new OwnerEndpoints(owners);
        var associations = new AssociationEndpoints(leads, tasks);

        foreach (var (version, objects, ownersPath) in Prefixes)
        {
            void Map(string method, string pattern, string name, RequestDelegate handler, bool isSearch = false) =>
                app.MapMethods(pattern, [method], handler).WithMetadata(new SandboxRoute(name, isSearch, version));

            var leadsPath = objects + "/leads";
            Map("POST", leadsPath, SalesEndpoint.LeadsCreate, leadEndpoints.CreateAsync);
            Map("POST", leadsPath + "/batch/create", SalesEndpoint.LeadsBatchCreate, leadEndpoints.BatchCreateAsync);
            Map("POST", leadsPath + "/batch/read", SalesEndpoint.LeadsBatchRead, leadEndpoints.BatchReadAsync);
            Map("POST", leadsPath + "/batch/update", SalesEndpoint.LeadsBatchUpdate, leadEndpoints.BatchUpdateAsync);
            Map("POST", leadsPath + "/search", SalesEndpoint.LeadsSearch, leadEndpoints.SearchAsync, isSearch: true);
            Map("GET", leadsPath + "/{id}", SalesEndpoint.LeadsGet, leadEndpoints.GetAsync);
            Map("PATCH", leadsPath + "/{id}", SalesEndpoint.LeadsUpdate, leadEndpoints.UpdateAsync);
            Map("DELETE", leadsPath + "/{id}", SalesEndpoint.LeadsArchive, leadEndpoints.ArchiveAsync);

            var tasksPath = objects + "/tasks";
            Map("POST", tasksPath, SalesEndpoint.TasksCreate, taskEndpoints.CreateAsync);
            Map("POST", tasksPath + "/batch/read", SalesEndpoint.TasksBatchRead, taskEndpoints.BatchReadAsync);
            Map("POST", tasksPath + "/search", SalesEndpoint.TasksSearch, taskEndpoints.SearchAsync, isSearch: true);
            Map("GET", tasksPath + "/{id}", SalesEndpoint.TasksGet, taskEndpoints.GetAsync);

            Map("GET", ownersPath, SalesEndpoint.OwnersList, ownerEndpoints.ListAsync);
            Map("GET", ownersPath + "/{id}", SalesEndpoint.OwnersGet, ownerEndpoints.GetAsync);

            if (version != SandboxApiVersion.V3)
            {
                Map("GET", objects + "/{fromType}/{fromId}/associations/{toType}", SalesEndpoint.AssociationsRead, associations.ReadAsync);
            }
        }

        // v3 reads associations with v4's paths and shapes.
        app.MapMethods("/crm/v4/objects/{fromType}/{fromId}/associations/{toType}", ["GET"], associations.ReadAsync)
            .WithMetadata(new SandboxRoute(SalesEndpoint.AssociationsRead, false, SandboxApiVersion.V3));
        return new SandboxSales(owners, leads, tasks);
    }
}
