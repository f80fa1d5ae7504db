using Refit;

namespace HubSyncWorker.HubSpot.Properties;

/// <summary>Refit contract of HubSpot's CRM v3 contact property and property-group endpoints (409 = exists, 404 = missing carry meaning).</summary>
internal interface IHubSpotPropertiesApi
{
    [Get("/crm/v3/properties/contacts")]
    Task<IApiResponse<PropertyCollection<HubSpotProperty>>> ListAsync(CancellationToken cancellationToken);

    [Get("/crm/v3/properties/contacts/{name}")]
    Task<IApiResponse<HubSpotProperty>> GetAsync(string name, CancellationToken cancellationToken);

    [Post("/crm/v3/properties/contacts")]
    Task<IApiResponse<HubSpotProperty>> CreateAsync([Body] PropertyCreate property, CancellationToken cancellationToken);

    [Patch("/crm/v3/properties/contacts/{name}")]
    Task<IApiResponse<HubSpotProperty>> UpdateAsync(string name, [Body] PropertyUpdate update, CancellationToken cancellationToken);

    [Get("/crm/v3/properties/contacts/groups")]
    Task<IApiResponse<PropertyCollection<HubSpotPropertyGroup>>> ListGroupsAsync(CancellationToken cancellationToken);

    [Post("/crm/v3/properties/contacts/groups")]
    Task<IApiResponse<HubSpotPropertyGroup>> CreateGroupAsync([Body] PropertyGroupCreate group, CancellationToken cancellationToken);
}
