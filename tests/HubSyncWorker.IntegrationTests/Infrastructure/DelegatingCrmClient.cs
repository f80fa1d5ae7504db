using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>A HubSpot client that passes every call to the real one; a test overrides the call it changes.</summary>
internal class DelegatingCrmClient(IHubSpotCrmClient inner) : IHubSpotCrmClient
{
    public virtual Task<BatchReadResult> BatchReadContactsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken) =>
        inner.BatchReadContactsAsync(ids, properties, propertiesWithHistory, cancellationToken);

    public virtual Task<ContactPage> ListContactsAsync(ContactListQuery query, CancellationToken cancellationToken) => inner.ListContactsAsync(query, cancellationToken);
    public virtual Task<ContactSearchPage> SearchContactsAsync(ContactSearchRequest request, CancellationToken cancellationToken) => inner.SearchContactsAsync(request, cancellationToken);
    public virtual Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken) => inner.BatchUpdateContactsAsync(updates, cancellationToken);
    public virtual Task<IReadOnlyList<HubSpotProperty>> ListPropertiesAsync(CancellationToken cancellationToken) => inner.ListPropertiesAsync(cancellationToken);
    public virtual Task<HubSpotProperty?> GetPropertyAsync(string name, CancellationToken cancellationToken) => inner.GetPropertyAsync(name, cancellationToken);
    public virtual Task<bool> CreatePropertyAsync(PropertyCreate definition, CancellationToken cancellationToken) => inner.CreatePropertyAsync(definition, cancellationToken);
    public virtual Task<HubSpotProperty> UpdatePropertyAsync(string name, PropertyUpdate update, CancellationToken cancellationToken) => inner.UpdatePropertyAsync(name, update, cancellationToken);
    public virtual Task<IReadOnlyList<HubSpotPropertyGroup>> ListPropertyGroupsAsync(CancellationToken cancellationToken) => inner.ListPropertyGroupsAsync(cancellationToken);
    public virtual Task<bool> CreatePropertyGroupAsync(PropertyGroupCreate group, CancellationToken cancellationToken) => inner.CreatePropertyGroupAsync(group, cancellationToken);
}

/// <summary>The real client, except that every batch read including <paramref name="failing"/> reports it as an error HubSpot tied to it (207).</summary>
internal sealed class OneContactErrorsClient(IHubSpotCrmClient inner, string failing) : DelegatingCrmClient(inner)
{
    public override async Task<BatchReadResult> BatchReadContactsAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> properties, IReadOnlyCollection<string> propertiesWithHistory, CancellationToken cancellationToken)
    {
        var read = await base.BatchReadContactsAsync(ids, properties, propertiesWithHistory, cancellationToken);
        return ids.Contains(failing)
            ? new BatchReadResult([.. read.Found.Where(c => c.Id != failing)], read.NotFoundIds, [.. read.Errors, new ContactError(failing, "INTERNAL_ERROR", "HubSpot could not read this record")])
            : read;
    }
}
