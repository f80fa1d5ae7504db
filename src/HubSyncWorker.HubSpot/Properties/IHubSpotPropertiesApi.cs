using Refit;

namespace HubSyncWorker.HubSpot.Properties;

/// <summary>
/// Refit contract of HubSpot's CRM contact property and property-group endpoints (409 = exists, 404 = missing carry meaning).
/// Paths are version-free: <see cref="Versioning.HubSpotApiVersionHandler"/> turns <c>/crm/properties/contacts</c> into
/// <c>/crm/properties/2026-03/contacts</c> or <c>/crm/v3/properties/contacts</c>, as configured.
/// </summary>
internal interface IHubSpotPropertiesApi
{
    [Get("/crm/properties/contacts")]
    Task<IApiResponse<PropertyCollection<HubSpotProperty>>> ListAsync(CancellationToken cancellationToken);

    [Get("/crm/properties/contacts/{name}")]
    Task<IApiResponse<HubSpotProperty>> GetAsync(string name, CancellationToken cancellationToken);

    [Post("/crm/properties/contacts")]
    Task<IApiResponse<HubSpotProperty>> CreateAsync([Body] PropertyCreate property, CancellationToken cancellationToken);

    [Patch("/crm/properties/contacts/{name}")]
    Task<IApiResponse<HubSpotProperty>> UpdateAsync(string name, [Body] PropertyUpdate update, CancellationToken cancellationToken);

    [Get("/crm/properties/contacts/groups")]
    Task<IApiResponse<PropertyCollection<HubSpotPropertyGroup>>> ListGroupsAsync(CancellationToken cancellationToken);

    [Post("/crm/properties/contacts/groups")]
    Task<IApiResponse<HubSpotPropertyGroup>> CreateGroupAsync([Body] PropertyGroupCreate group, CancellationToken cancellationToken);
}
