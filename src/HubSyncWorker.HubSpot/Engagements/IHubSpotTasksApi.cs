using HubSyncWorker.HubSpot.Leads;
using Refit;

namespace HubSyncWorker.HubSpot.Engagements;

/// <summary>Refit contract of HubSpot's task engagements (scope <c>crm.objects.contacts.write</c>); version-free path like the contacts contract.</summary>
internal interface IHubSpotTasksApi
{
    [Post("/crm/objects/tasks")]
    Task<IApiResponse<CrmObjectRecord>> CreateAsync([Body] CrmObjectCreateRequest request, CancellationToken cancellationToken);
}
