using HubSyncWorker.HubSpot.Contacts;
using Refit;

namespace HubSyncWorker.HubSpot.Owners;

/// <summary>
/// Refit contract of HubSpot's owners API (scope <c>crm.objects.owners.read</c>). The path is version-free:
/// <see cref="Handoff.HubSpotHandoffPathHandler"/> makes it <c>/crm/owners/2026-03</c> or <c>/crm/v3/owners/</c>.
/// </summary>
internal interface IHubSpotOwnersApi
{
    /// <summary>One page of owners; <paramref name="archived"/> <c>"true"</c> lists only archived ones.</summary>
    [Get("/crm/owners")]
    Task<IApiResponse<CollectionResponse<HubSpotOwner>>> ListAsync(int limit, string? after, string archived, CancellationToken cancellationToken);
}
