using HubSyncWorker.HubSpot.Contacts;
using Refit;

namespace HubSyncWorker.HubSpot.Leads;

/// <summary>
/// Refit contract of HubSpot's Leads object (<c>0-136</c>, Sales Hub Professional or Enterprise; scopes <c>crm.objects.leads.read</c>
/// and <c>.write</c>) and the contact → lead association read. Paths are version-free like the contacts contract:
/// <see cref="Versioning.HubSpotApiVersionHandler"/> makes them <c>/crm/objects/2026-03/leads...</c> or <c>/crm/v3/objects/leads...</c>,
/// and <see cref="Handoff.HubSpotHandoffPathHandler"/> sends the association read of <c>v3</c> to v4's path.
/// </summary>
internal interface IHubSpotLeadsApi
{
    /// <summary>Create one lead; HubSpot requires an association to an existing contact and <c>hs_lead_name</c>.</summary>
    [Post("/crm/objects/leads")]
    Task<IApiResponse<CrmObjectRecord>> CreateAsync([Body] CrmObjectCreateRequest request, CancellationToken cancellationToken);

    [Patch("/crm/objects/leads/{leadId}")]
    Task<IApiResponse<CrmObjectRecord>> UpdateAsync(string leadId, [Body] CrmObjectUpdateRequest request, CancellationToken cancellationToken);

    /// <summary>Batch read by id; <paramref name="withHistory"/> marks the request (<see cref="HubSpotRequestMarks.HistoryRead"/>), it is not sent.</summary>
    [Post("/crm/objects/leads/batch/read")]
    Task<IApiResponse<BatchResponse<CrmObjectRecord>>> BatchReadAsync(
        [Body] BatchReadRequest request,
        [Property(HubSpotRequestMarks.HistoryRead)] bool withHistory,
        CancellationToken cancellationToken);

    /// <summary>Search (the search budget, 5 a second; eventually consistent: a lead created a moment ago may be missing).</summary>
    [Post("/crm/objects/leads/search")]
    Task<IApiResponse<CollectionResponse<CrmObjectRecord>>> SearchAsync([Body] ContactSearchRequest request, CancellationToken cancellationToken);

    /// <summary>The leads associated with a contact (consistent right after a create, unlike search).</summary>
    [Get("/crm/objects/contacts/{contactId}/associations/leads")]
    Task<IApiResponse<CollectionResponse<AssociatedObject>>> ContactLeadsAsync(string contactId, int limit, string? after, CancellationToken cancellationToken);
}
