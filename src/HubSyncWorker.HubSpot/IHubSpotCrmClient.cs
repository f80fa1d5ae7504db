using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;

namespace HubSyncWorker.HubSpot;

/// <summary>
/// The HubSpot CRM calls the worker makes, with rate limiting, retries and HubSpot's status codes already handled.
/// Failures that retrying could not fix surface as <see cref="Errors.HubSpotApiException"/>
/// (<see cref="Errors.HubSpotDailyLimitExceededException"/> for the daily limit) or <see cref="Errors.HubSpotUnavailableException"/>.
/// </summary>
public interface IHubSpotCrmClient
{
    /// <summary>One page of <c>GET /crm/objects/{version}/contacts</c> (full resyncs: no 10k cap).</summary>
    Task<ContactPage> ListContactsAsync(ContactListQuery query, CancellationToken cancellationToken);

    /// <summary>One page of <c>POST /crm/objects/{version}/contacts/search</c> (at most 200 per page and 10,000 per query).</summary>
    Task<ContactSearchPage> SearchContactsAsync(ContactSearchRequest request, CancellationToken cancellationToken);

    /// <summary><c>POST /crm/objects/{version}/contacts/batch/read</c> of at most 100 distinct ids, 50 when <paramref name="propertiesWithHistory"/> is not empty.</summary>
    Task<BatchReadResult> BatchReadContactsAsync(
        IReadOnlyCollection<string> ids,
        IReadOnlyCollection<string> properties,
        IReadOnlyCollection<string> propertiesWithHistory,
        CancellationToken cancellationToken);

    /// <summary><c>POST /crm/objects/{version}/contacts/batch/update</c> of at most 100 inputs with distinct ids.</summary>
    Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken);

    /// <summary>Every contact property (<c>GET /crm/properties/{version}/contacts</c>).</summary>
    Task<IReadOnlyList<HubSpotProperty>> ListPropertiesAsync(CancellationToken cancellationToken);

    /// <summary>One contact property, or <see langword="null"/> when it does not exist.</summary>
    Task<HubSpotProperty?> GetPropertyAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates a contact property; <see langword="false"/> when it already exists (409).</summary>
    Task<bool> CreatePropertyAsync(PropertyCreate definition, CancellationToken cancellationToken);

    /// <summary>Changes a contact property (<c>PATCH</c>); options, when given, replace the whole list.</summary>
    Task<HubSpotProperty> UpdatePropertyAsync(string name, PropertyUpdate update, CancellationToken cancellationToken);

    /// <summary>Every contact property group.</summary>
    Task<IReadOnlyList<HubSpotPropertyGroup>> ListPropertyGroupsAsync(CancellationToken cancellationToken);

    /// <summary>Creates a contact property group; <see langword="false"/> when it already exists (409).</summary>
    Task<bool> CreatePropertyGroupAsync(PropertyGroupCreate group, CancellationToken cancellationToken);
}
