using Refit;

namespace HubSyncWorker.HubSpot.Contacts;

/// <summary>
/// Refit contract of HubSpot's CRM contacts endpoints. Statuses carry meaning (207, 400, 429), so every call returns <see cref="IApiResponse{T}"/>.
/// Paths are version-free: <see cref="Versioning.HubSpotApiVersionHandler"/> turns <c>/crm/objects/contacts</c> into
/// <c>/crm/objects/2026-03/contacts</c> or <c>/crm/v3/objects/contacts</c>, as configured.
/// </summary>
internal interface IHubSpotContactsApi
{
    /// <summary>
    /// List contacts. Lists go out as one comma-joined parameter (<c>properties=a%2Cb</c>, which decodes to
    /// <c>a,b</c>): the same bytes HubSpot's own Node and Python clients send. Refit would repeat the key without <c>CollectionFormat.Csv</c>.
    /// </summary>
    [Get("/crm/objects/contacts")]
    Task<IApiResponse<CollectionResponse<HubSpotContact>>> ListAsync(
        int limit,
        string? after,
        [Query(CollectionFormat.Csv)] IEnumerable<string>? properties,
        [Query(CollectionFormat.Csv)] IEnumerable<string>? propertiesWithHistory,
        [Query(CollectionFormat.Csv)] IEnumerable<string>? associations,
        string archived,
        CancellationToken cancellationToken);

    [Post("/crm/objects/contacts/search")]
    Task<IApiResponse<CollectionResponse<HubSpotContact>>> SearchAsync([Body] ContactSearchRequest request, CancellationToken cancellationToken);

    /// <summary>Batch read; <paramref name="withHistory"/> marks the request (<see cref="HubSpotRequestMarks.HistoryRead"/>), it is not sent.</summary>
    [Post("/crm/objects/contacts/batch/read")]
    Task<IApiResponse<BatchResponse<HubSpotContact>>> BatchReadAsync(
        [Body] BatchReadRequest request,
        [Property(HubSpotRequestMarks.HistoryRead)] bool withHistory,
        CancellationToken cancellationToken);

    [Post("/crm/objects/contacts/batch/update")]
    Task<IApiResponse<BatchResponse<HubSpotContact>>> BatchUpdateAsync([Body] BatchUpdateRequest request, CancellationToken cancellationToken);
}
