using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.HubSpot.Owners;

namespace HubSyncWorker.HubSpot.Handoff;

/// <summary>
/// The HubSpot calls a handoff to sales needs: Leads (create, find a contact's open ones, read in batch, search, update), active owners,
/// and tasks. Every call goes through the same pipeline as the contacts client (API version, auth, rate budget, retries, breaker).
/// Leads calls throw <see cref="HubSpotLeadsUnavailableException"/> on a portal without the Leads object; other refusals throw
/// <see cref="Errors.HubSpotApiException"/>, and "HubSpot could not be reached" <see cref="Errors.HubSpotUnavailableException"/>.
/// </summary>
public interface IHubSpotHandoffClient
{
    /// <summary>Creates a lead associated with its contact as primary contact (type 578), with owner, pipeline, stage, name and properties.</summary>
    Task<HubSpotLead> CreateLeadAsync(LeadToCreate lead, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of every lead associated with a contact, read through the associations API: consistent right after a create, unlike
    /// search (HubSpot's search lags writes by seconds), so this is the read to guard "one open lead per contact" with.
    /// </summary>
    Task<IReadOnlyList<string>> GetLeadIdsForContactAsync(string contactId, CancellationToken cancellationToken);

    /// <summary>
    /// The open leads of a contact (<see cref="HubSpotLead.IsOpen"/>): <see cref="GetLeadIdsForContactAsync"/> then a batch read of
    /// <paramref name="properties"/> (<c>hs_pipeline_stage</c>, <c>hs_lead_is_open</c> and the owner are always read). Two calls; none
    /// on the search budget.
    /// </summary>
    Task<IReadOnlyList<HubSpotLead>> FindOpenLeadsForContactAsync(string contactId, IReadOnlyCollection<string> properties, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to 100 leads (50 when <paramref name="propertiesWithHistory"/> is not empty, as for contacts), e.g. their stage, owner
    /// and dates, with the stage history to measure when a lead left its first stage.
    /// </summary>
    Task<LeadReadResult> ReadLeadsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken);

    /// <summary>One page of a lead search (e.g. by <c>hs_pipeline_stage</c>, <c>hubspot_owner_id</c>, <c>hs_lastmodifieddate</c>, or <c>associations.contact</c>).</summary>
    Task<LeadSearchPage> SearchLeadsAsync(ContactSearchRequest request, CancellationToken cancellationToken);

    /// <summary>Updates a lead's properties (e.g. a new owner on escalation) and returns it.</summary>
    Task<HubSpotLead> UpdateLeadAsync(string leadId, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken);

    /// <summary>Every active (not archived) owner, all pages read.</summary>
    Task<IReadOnlyList<HubSpotOwner>> ListActiveOwnersAsync(CancellationToken cancellationToken);

    /// <summary>Creates a task for an owner, associated with a contact (type 204) and optionally a lead (type 647).</summary>
    Task<HubSpotTask> CreateTaskAsync(TaskToCreate task, CancellationToken cancellationToken);
}
