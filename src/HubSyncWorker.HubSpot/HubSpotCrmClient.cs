using System.Net;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Errors;
using static HubSyncWorker.HubSpot.Errors.HubSpotCall;
using HubSyncWorker.HubSpot.Properties;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.HubSpot;

/// <summary>The typed facade over the Refit contracts: validates inputs, maps HubSpot's statuses to results or exceptions.</summary>
internal sealed class HubSpotCrmClient(
    IHubSpotContactsApi contacts,
    IHubSpotPropertiesApi properties,
    ILogger<HubSpotCrmClient> logger) : IHubSpotCrmClient
{
    internal const int MaxBatchSize = 100;

    /// <summary>
    /// HubSpot refuses a batch read with <c>propertiesWithHistory</c> for more than 50 inputs (400 <c>VALIDATION_ERROR</c> "The maximum
    /// number of inputs supported in a batch request for property histories is 50"; not in the spec, seen in production).
    /// </summary>
    internal const int MaxHistoryBatchSize = 50;

    internal const int MaxListLimit = 100;
    internal const int MaxSearchLimit = 200;
    internal const int MaxFilterGroups = 5;
    internal const int MaxFiltersPerGroup = 6;
    internal const int MaxFilters = 18;
    private const string NotFoundCategory = "OBJECT_NOT_FOUND";

    public async Task<ContactPage> ListContactsAsync(ContactListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxListLimit, nameof(query));

        var response = await CallAsync(
            "list contacts",
            () => contacts.ListAsync(
                query.Limit,
                query.After,
                NullIfEmpty(query.Properties),
                NullIfEmpty(query.PropertiesWithHistory),
                NullIfEmpty(query.Associations),
                query.Archived ? "true" : "false",
                cancellationToken));
        var page = EnsureContent(response, "list contacts");
        return new ContactPage(page.Results, NextAfter(page.Paging));
    }

    public async Task<ContactSearchPage> SearchContactsAsync(ContactSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateSearch(request);
        var response = await CallAsync("search contacts", () => contacts.SearchAsync(request, cancellationToken));
        var page = EnsureContent(response, "search contacts");
        return new ContactSearchPage(page.Total ?? page.Results.Count, page.Results, NextAfter(page.Paging));
    }

    public async Task<BatchReadResult> BatchReadContactsAsync(
        IReadOnlyCollection<string> ids,
        IReadOnlyCollection<string> properties,
        IReadOnlyCollection<string> propertiesWithHistory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(propertiesWithHistory);
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A HubSpot batch read takes at most {MaxBatchSize} ids; got {distinct.Count}.", nameof(ids));
        }

        if (propertiesWithHistory.Count > 0 && distinct.Count > MaxHistoryBatchSize)
        {
            throw new ArgumentException(
                $"A HubSpot batch read with propertiesWithHistory takes at most {MaxHistoryBatchSize} ids (HubSpot refuses more with 400 VALIDATION_ERROR); got {distinct.Count}: read in chunks of {MaxHistoryBatchSize}.",
                nameof(ids));
        }

        if (distinct.Count == 0)
        {
            return new BatchReadResult([], [], []);
        }

        var request = new BatchReadRequest([.. properties], [.. propertiesWithHistory], [.. distinct.Select(id => new BatchReadInput(id))]);
        var response = await CallAsync("batch read contacts", () => contacts.BatchReadAsync(request, withHistory: request.PropertiesWithHistory.Count > 0, cancellationToken));
        var batch = EnsureContent(response, "batch read contacts");

        var requested = distinct.ToHashSet(StringComparer.Ordinal);

        // One record per requested id. Should HubSpot answer a merged-away id with its survivor's record, that record is not what
        // was asked for (the requested id counts as not found) and may repeat a survivor asked for too: two plans for one
        // contact would make the batch update refuse the whole batch.
        var results = (batch.Results ?? []).Where(r => requested.Contains(r.Id)).DistinctBy(r => r.Id, StringComparer.Ordinal).ToList();
        var found = results.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        // The same per-input errors whether they come in a 207 (v3, 2026-03) or in a 200 (2026-09).
        var errors = (batch.Errors ?? []).Where(e => e.Category != NotFoundCategory).SelectMany(e => ErrorsFor(e, requested, null)).ToList();
        var otherwiseFailed = errors.Select(e => e.ContactId).OfType<string>().ToHashSet(StringComparer.Ordinal);

        // OBJECT_NOT_FOUND ids and ids silently missing from the results (merged-away contacts) are both "not found".
        var notFound = distinct.Where(id => !found.Contains(id) && !otherwiseFailed.Contains(id)).ToList();
        return new BatchReadResult(results, notFound, errors);
    }

    public async Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A HubSpot batch update takes at most {MaxBatchSize} inputs; got {updates.Count}.", nameof(updates));
        }

        var duplicate = updates.GroupBy(u => u.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Contact {duplicate.Key} appears more than once in the batch update; HubSpot rejects duplicate ids.", nameof(updates));
        }

        if (updates.Count == 0)
        {
            return new BatchUpdateResult([], [], null);
        }

        // The trace id is the contact id: ids are unique in the batch, and HubSpot echoes the trace id on per-input errors.
        var request = new BatchUpdateRequest([.. updates.Select(u => new BatchUpdateInput(u.Id, u.Properties, u.Id))]);
        var response = await CallAsync("batch update contacts", () => contacts.BatchUpdateAsync(request, cancellationToken));
        var inputIds = updates.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);

        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var error = HubSpotErrorBody.TryParse(ErrorContent(response));
            Log.BatchUpdateRejected(logger, (int)response.StatusCode, error?.Category, error?.Message);
            var details = (error?.Errors ?? []).SelectMany(detail => ErrorsFor(detail, inputIds, error?.Category)).ToList();
            var failure = new BatchFailure(
                HttpStatusCode.BadRequest,
                error?.Category,
                error?.Message ?? "HubSpot rejected the batch update (400) without a message.",
                error?.CorrelationId);
            return new BatchUpdateResult([], details, failure);
        }

        // A 207 (v3, 2026-03) and a 200 (2026-09) carry per-input errors alike.
        var batch = EnsureContent(response, "batch update contacts");
        var errors = (batch.Errors ?? []).SelectMany(detail => ErrorsFor(detail, inputIds, null)).ToList();
        return new BatchUpdateResult(batch.Results ?? [], errors, null);
    }

    public async Task<IReadOnlyList<HubSpotProperty>> ListPropertiesAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("list contact properties", () => properties.ListAsync(cancellationToken));
        return EnsureContent(response, "list contact properties").Results;
    }

    public async Task<HubSpotProperty?> GetPropertyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var response = await CallAsync("get contact property", () => properties.GetAsync(name, cancellationToken));
        return response.StatusCode == HttpStatusCode.NotFound ? null : EnsureContent(response, $"get contact property {name}");
    }

    public async Task<bool> CreatePropertyAsync(PropertyCreate definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var sent = definition with { Options = WithDisplayOrder(definition.Options) };
        var response = await CallAsync("create contact property", () => properties.CreateAsync(sent, cancellationToken));
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        EnsureContent(response, $"create contact property {definition.Name}");
        return true;
    }

    public async Task<HubSpotProperty> UpdatePropertyAsync(string name, PropertyUpdate update, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(update);
        var sent = update with { Options = WithDisplayOrder(update.Options) };
        var response = await CallAsync("update contact property", () => properties.UpdateAsync(name, sent, cancellationToken));
        return EnsureContent(response, $"update contact property {name}");
    }

    public async Task<IReadOnlyList<HubSpotPropertyGroup>> ListPropertyGroupsAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("list contact property groups", () => properties.ListGroupsAsync(cancellationToken));
        return EnsureContent(response, "list contact property groups").Results;
    }

    public async Task<bool> CreatePropertyGroupAsync(PropertyGroupCreate group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var response = await CallAsync("create contact property group", () => properties.CreateGroupAsync(group, cancellationToken));
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        EnsureContent(response, $"create contact property group {group.Name}");
        return true;
    }

    internal static void ValidateSearch(ContactSearchRequest request)
    {
        if (request.Limit is < 1 or > MaxSearchLimit)
        {
            throw new ArgumentException($"A HubSpot search page holds 1-{MaxSearchLimit} results; got {request.Limit}.", nameof(request));
        }

        if (request.FilterGroups.Count > MaxFilterGroups)
        {
            throw new ArgumentException($"A HubSpot search takes at most {MaxFilterGroups} filter groups; got {request.FilterGroups.Count}.", nameof(request));
        }

        if (request.FilterGroups.Any(g => g.Filters.Count > MaxFiltersPerGroup))
        {
            throw new ArgumentException($"A HubSpot search filter group takes at most {MaxFiltersPerGroup} filters.", nameof(request));
        }

        var filters = request.FilterGroups.Sum(g => g.Filters.Count);
        if (filters > MaxFilters)
        {
            throw new ArgumentException($"A HubSpot search takes at most {MaxFilters} filters in all; got {filters}.", nameof(request));
        }

        if (request.Sorts.Count > 1)
        {
            throw new ArgumentException($"A HubSpot search takes at most one sort; got {request.Sorts.Count}.", nameof(request));
        }
    }

    private static string? NextAfter(HubSpotPaging? paging) => paging?.Next?.After is { Length: > 0 } after ? after : null;

    private static List<string>? NullIfEmpty(IReadOnlyList<string> values) => values.Count == 0 ? null : [.. values];

    /// <summary>The input ids an error names: its echoed trace id (our trace id is the contact id), or its context's ids.</summary>
    private static IEnumerable<string> IdsOf(HubSpotErrorDetail error)
    {
        if (error.ObjectWriteTraceId is { Length: > 0 } traceId)
        {
            yield return traceId;
        }

        if (error.Context is null)
        {
            yield break;
        }

        foreach (var key in (string[])["objectWriteTraceId", "ids", "id"])
        {
            if (error.Context.TryGetValue(key, out var values))
            {
                foreach (var value in values)
                {
                    yield return value;
                }
            }
        }
    }

    /// <summary>
    /// One error per input <paramref name="detail"/> names (or one tied to no input), with its code and property names. The category is
    /// the entry's own, else the whole answer's (<paramref name="fallbackCategory"/>: a 400's <c>VALIDATION_ERROR</c>), else the code.
    /// </summary>
    private static IEnumerable<ContactError> ErrorsFor(HubSpotErrorDetail detail, HashSet<string> inputIds, string? fallbackCategory)
    {
        var ids = IdsOf(detail).Where(inputIds.Contains).Distinct(StringComparer.Ordinal).ToList();
        var category = detail.Category ?? fallbackCategory ?? detail.Code;
        var message = detail.Message ?? "Unknown error";
        string?[] contactIds = ids.Count == 0 ? [null] : [.. ids];
        return contactIds.Select(id => new ContactError(id, category, message) { Code = detail.Code, PropertyNames = detail.PropertyNames });
    }

    /// <summary>
    /// Options as HubSpot 2026-03 requires them: each with a <c>displayOrder</c>; one without gets its position in the list, so the
    /// portal shows options in the order they are given.
    /// </summary>
    private static List<PropertyOption>? WithDisplayOrder(IReadOnlyList<PropertyOption>? options) =>
        options?.Select((option, index) => option.DisplayOrder is null ? option with { DisplayOrder = index } : option).ToList();
}
