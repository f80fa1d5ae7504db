using System.Globalization;
using System.Net;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Errors;
using static HubSyncWorker.HubSpot.Errors.HubSpotCall;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.HubSpot.Owners;
using Microsoft.Extensions.Logging;
using Refit;

namespace HubSyncWorker.HubSpot.Handoff;

/// <summary>The typed facade over the Leads, owners and tasks contracts: validates inputs, maps HubSpot's statuses to results or exceptions.</summary>
internal sealed class HubSpotHandoffClient(
    IHubSpotLeadsApi leads,
    IHubSpotOwnersApi owners,
    IHubSpotTasksApi tasks,
    ILogger<HubSpotHandoffClient> logger) : IHubSpotHandoffClient
{
    private const int MaxBatchSize = 100;
    private const int MaxHistoryBatchSize = 50;
    private const int AssociationPageSize = 500;
    private const int OwnerPageSize = 500;
    private const string NotFoundCategory = "OBJECT_NOT_FOUND";
    private static readonly string[] AlwaysReadForOpen = ["hs_pipeline", "hs_pipeline_stage", "hs_lead_is_open", "hubspot_owner_id"];

    public async Task<HubSpotLead> CreateLeadAsync(LeadToCreate lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentException.ThrowIfNullOrWhiteSpace(lead.ContactId, nameof(lead));
        ArgumentException.ThrowIfNullOrWhiteSpace(lead.Name, nameof(lead));
        var properties = new Dictionary<string, string>(lead.Properties, StringComparer.Ordinal);
        foreach (var (name, value) in Standard(lead))
        {
            if (!properties.TryAdd(name, value))
            {
                throw new ArgumentException($"Lead property {name} is set twice: use the {nameof(LeadToCreate)} member for it, not {nameof(LeadToCreate.Properties)}.", nameof(lead));
            }
        }

        var request = new CrmObjectCreateRequest(properties, [CrmAssociationInput.HubSpotDefined(lead.ContactId, HubSpotLeadIds.LeadToPrimaryContact)]);
        const string operation = "create lead";
        var response = await CallAsync(operation, () => leads.CreateAsync(request, cancellationToken));
        return HubSpotLead.From(EnsureLeads(response, operation));
    }

    public async Task<IReadOnlyList<string>> GetLeadIdsForContactAsync(string contactId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contactId);
        const string operation = "read the leads of a contact";
        var ids = new List<string>();
        string? after = null;
        do
        {
            var cursor = after;
            var response = await CallAsync(operation, () => leads.ContactLeadsAsync(contactId, AssociationPageSize, cursor, cancellationToken));
            var page = EnsureLeads(response, operation);
            ids.AddRange(page.Results.Select(r => AssociatedObject.Normalize(r.ToObjectId)).OfType<string>());
            after = page.Paging?.Next?.After is { Length: > 0 } next ? next : null;
        }
        while (after is not null);

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<HubSpotLead>> FindOpenLeadsForContactAsync(string contactId, IReadOnlyCollection<string> properties, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var ids = await GetLeadIdsForContactAsync(contactId, cancellationToken);
        var open = new List<HubSpotLead>();
        foreach (var chunk in ids.Chunk(MaxBatchSize))
        {
            var read = await ReadLeadsAsync(chunk, [.. properties.Concat(AlwaysReadForOpen).Distinct(StringComparer.Ordinal)], [], cancellationToken);
            open.AddRange(read.Found.Where(lead => lead.IsOpen == true && !lead.Archived));
        }

        return open;
    }

    public async Task<LeadReadResult> ReadLeadsAsync(
        IReadOnlyCollection<string> ids,
        IReadOnlyCollection<string> properties,
        IReadOnlyCollection<string> propertiesWithHistory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(propertiesWithHistory);
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var max = propertiesWithHistory.Count > 0 ? MaxHistoryBatchSize : MaxBatchSize;
        if (distinct.Count > max)
        {
            throw new ArgumentException($"A HubSpot lead batch read takes at most {max} ids{(propertiesWithHistory.Count > 0 ? " with propertiesWithHistory" : "")}; got {distinct.Count}.", nameof(ids));
        }

        if (distinct.Count == 0)
        {
            return new LeadReadResult([], []);
        }

        var request = new BatchReadRequest([.. properties], [.. propertiesWithHistory], [.. distinct.Select(id => new BatchReadInput(id))]);
        const string operation = "batch read leads";
        var response = await CallAsync(operation, () => leads.BatchReadAsync(request, withHistory: propertiesWithHistory.Count > 0, cancellationToken));
        var batch = EnsureLeads(response, operation);
        var requested = distinct.ToHashSet(StringComparer.Ordinal);
        var found = (batch.Results ?? []).Where(r => requested.Contains(r.Id)).DistinctBy(r => r.Id, StringComparer.Ordinal).Select(HubSpotLead.From).ToList();
        if ((batch.Errors ?? []).FirstOrDefault(e => e.Category != NotFoundCategory) is { } failure)
        {
            // Only "not found" is an expected per-input answer to a read; anything else says the read itself went wrong.
            throw new HubSpotApiException($"HubSpot {operation} answered with a {failure.Category} error: {failure.Message}");
        }

        var foundIds = found.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        return new LeadReadResult(found, [.. distinct.Where(id => !foundIds.Contains(id))]);
    }

    public async Task<LeadSearchPage> SearchLeadsAsync(ContactSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HubSpotCrmClient.ValidateSearch(request);
        const string operation = "search leads";
        var response = await CallAsync(operation, () => leads.SearchAsync(request, cancellationToken));
        var page = EnsureLeads(response, operation);
        return new LeadSearchPage(page.Total ?? page.Results.Count, [.. page.Results.Select(HubSpotLead.From)], page.Paging?.Next?.After is { Length: > 0 } after ? after : null);
    }

    public async Task<HubSpotLead> UpdateLeadAsync(string leadId, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(leadId);
        ArgumentNullException.ThrowIfNull(properties);
        const string operation = "update lead";
        var response = await CallAsync(operation, () => leads.UpdateAsync(leadId, new CrmObjectUpdateRequest(properties), cancellationToken));
        return HubSpotLead.From(EnsureLeads(response, operation));
    }

    public async Task<IReadOnlyList<HubSpotOwner>> ListActiveOwnersAsync(CancellationToken cancellationToken)
    {
        const string operation = "list owners";
        var result = new List<HubSpotOwner>();
        string? after = null;
        do
        {
            var cursor = after;
            var response = await CallAsync(operation, () => owners.ListAsync(OwnerPageSize, cursor, "false", cancellationToken));
            var page = EnsureContent(response, operation);
            result.AddRange(page.Results.Where(o => !o.Archived));
            after = page.Paging?.Next?.After is { Length: > 0 } next ? next : null;
        }
        while (after is not null);

        return result;
    }

    public async Task<HubSpotTask> CreateTaskAsync(TaskToCreate task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentException.ThrowIfNullOrWhiteSpace(task.ContactId, nameof(task));
        ArgumentException.ThrowIfNullOrWhiteSpace(task.OwnerId, nameof(task));
        ArgumentException.ThrowIfNullOrWhiteSpace(task.Subject, nameof(task));
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["hs_task_subject"] = task.Subject,
            ["hs_timestamp"] = task.DueAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["hubspot_owner_id"] = task.OwnerId,
            ["hs_task_status"] = "NOT_STARTED",
        };
        AddIfSet(properties, "hs_task_body", task.Body);
        AddIfSet(properties, "hs_task_priority", task.Priority);
        AddIfSet(properties, "hs_task_type", task.Type);
        List<CrmAssociationInput> associations = [CrmAssociationInput.HubSpotDefined(task.ContactId, HubSpotLeadIds.TaskToContact)];
        if (task.LeadId is { Length: > 0 } leadId)
        {
            associations.Add(CrmAssociationInput.HubSpotDefined(leadId, HubSpotLeadIds.TaskToLead));
        }

        const string operation = "create task";
        var response = await CallAsync(operation, () => tasks.CreateAsync(new CrmObjectCreateRequest(properties, associations), cancellationToken));
        var record = EnsureContent(response, operation);
        return new HubSpotTask(record.Id, record.Properties, record.CreatedAt);
    }

    private static IEnumerable<(string Name, string Value)> Standard(LeadToCreate lead)
    {
        yield return ("hs_lead_name", lead.Name);
        yield return ("hs_pipeline", lead.PipelineId);
        yield return ("hs_pipeline_stage", lead.StageId);
        if (lead.OwnerId is { Length: > 0 } owner)
        {
            yield return ("hubspot_owner_id", owner);
        }
    }

    private static void AddIfSet(Dictionary<string, string> properties, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            properties[name] = value;
        }
    }

    /// <summary>Like <see cref="EnsureContent{T}"/>, but an answer that means "this portal has no Leads object" becomes <see cref="HubSpotLeadsUnavailableException"/>.</summary>
    private T EnsureLeads<T>(IApiResponse<T> response, string operation)
    {
        if (!response.IsSuccessStatusCode && response.StatusCode is { } status && HubSpotErrorBody.TryParse(ErrorContent(response)) is var error && MeansNoLeadsObject(status, error))
        {
            Log.LeadsUnavailable(logger, operation, (int)status, error?.Category);
            throw new HubSpotLeadsUnavailableException(status, error, operation);
        }

        return EnsureContent(response, operation);
    }

    /// <summary>
    /// A Leads call refused for missing scopes can only lack the Leads scopes (a portal without Sales Hub cannot grant them); an
    /// "unable to infer object type" answer means the portal does not know the object at all.
    /// </summary>
    internal static bool MeansNoLeadsObject(HttpStatusCode status, HubSpotErrorBody? error) =>
        (status == HttpStatusCode.Forbidden && string.Equals(error?.Category, "MISSING_SCOPES", StringComparison.Ordinal))
        || (status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound && error?.Message?.Contains("infer object type", StringComparison.OrdinalIgnoreCase) == true);
}
