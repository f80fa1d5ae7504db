using System.Text.Json.Serialization;
using HubSyncWorker.HubSpot.Errors;

namespace HubSyncWorker.HubSpot.Contacts;

/// <summary>
/// A HubSpot contact record. Every property value is a string (HubSpot sends numbers, booleans and dates as strings);
/// a requested property without a value is <see langword="null"/> or absent.
/// </summary>
public sealed record HubSpotContact
{
    public required string Id { get; init; }

    public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public bool Archived { get; init; }

    /// <summary>Present when <c>propertiesWithHistory</c> was requested: the newest value first, as HubSpot returns it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryEntry>>? PropertiesWithHistory { get; init; }

    /// <summary>Present when <c>associations</c> were requested on the list endpoint (search and batch read return none).</summary>
    public IReadOnlyDictionary<string, AssociationPage>? Associations { get; init; }

    /// <summary>The value of <paramref name="propertyName"/>, or <see langword="null"/> when absent or empty-valued.</summary>
    public string? GetProperty(string propertyName) => Properties.TryGetValue(propertyName, out var value) ? value : null;
}

/// <summary>One historical value of a property.</summary>
public sealed record PropertyHistoryEntry
{
    public string? Value { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public string? SourceType { get; init; }

    public string? SourceId { get; init; }

    public string? SourceLabel { get; init; }

    public long? UpdatedByUserId { get; init; }
}

/// <summary>The associated records of one type (for example <c>deals</c>).</summary>
public sealed record AssociationPage
{
    public IReadOnlyList<AssociationLink> Results { get; init; } = [];

    public HubSpotPaging? Paging { get; init; }
}

/// <summary>A link from the contact to another record.</summary>
public sealed record AssociationLink
{
    public required string Id { get; init; }

    public string? Type { get; init; }
}

/// <summary>HubSpot's paging block; <see cref="Next"/> is absent on the last page.</summary>
public sealed record HubSpotPaging
{
    public HubSpotNextPage? Next { get; init; }
}

/// <summary>The cursor of the next page.</summary>
public sealed record HubSpotNextPage
{
    public string? After { get; init; }

    public string? Link { get; init; }
}

/// <summary>Wire shape of list and search answers.</summary>
internal sealed record CollectionResponse<T>
{
    public int? Total { get; init; }

    public IReadOnlyList<T> Results { get; init; } = [];

    public HubSpotPaging? Paging { get; init; }
}

/// <summary>
/// Wire shape of batch answers: 200 <c>COMPLETE</c>, or 207 (v3, 2026-03) or 200 (2026-09) with <c>numErrors</c> and <c>errors</c>.
/// Everything but <see cref="Results"/> is read leniently (<see cref="Serialization.LenientErrorListConverter"/>): an odd error
/// shape must not cost the batch its results.
/// </summary>
internal sealed record BatchResponse<T>
{
    [JsonConverter(typeof(Serialization.LenientTextConverter))]
    public string? Status { get; init; }

    public IReadOnlyList<T> Results { get; init; } = [];

    [JsonConverter(typeof(Serialization.LenientCountConverter))]
    public int? NumErrors { get; init; }

    public IReadOnlyList<HubSpotErrorDetail>? Errors { get; init; }
}

internal sealed record BatchReadRequest(
    IReadOnlyList<string> Properties,
    IReadOnlyList<string> PropertiesWithHistory,
    IReadOnlyList<BatchReadInput> Inputs);

internal sealed record BatchReadInput(string Id);

internal sealed record BatchUpdateRequest(IReadOnlyList<BatchUpdateInput> Inputs);

internal sealed record BatchUpdateInput(string Id, IReadOnlyDictionary<string, string> Properties, string? ObjectWriteTraceId);

/// <summary>Body of <c>POST /crm/objects/{version}/contacts/search</c>.</summary>
public sealed record ContactSearchRequest
{
    /// <summary>Groups are ORed, filters inside a group ANDed. At most 5 groups, 6 filters per group, 18 filters in all.</summary>
    public IReadOnlyList<SearchFilterGroup> FilterGroups { get; init; } = [];

    /// <summary>At most one sort.</summary>
    public IReadOnlyList<SearchSort> Sorts { get; init; } = [];

    public IReadOnlyList<string> Properties { get; init; } = [];

    /// <summary>Page size, 1-200. Default 200.</summary>
    public int Limit { get; init; } = 200;

    /// <summary>Cursor from the previous page; paging past 10,000 results is a 400 (restart with a keyset filter instead).</summary>
    public string? After { get; init; }
}

public sealed record SearchFilterGroup(IReadOnlyList<SearchFilter> Filters);

/// <summary>One search filter. Dates are epoch-millisecond strings.</summary>
public sealed record SearchFilter
{
    public required string PropertyName { get; init; }

    public required SearchOperator Operator { get; init; }

    public string? Value { get; init; }

    /// <summary>Upper bound for <see cref="SearchOperator.Between"/>.</summary>
    public string? HighValue { get; init; }

    /// <summary>Values for <see cref="SearchOperator.In"/> and <see cref="SearchOperator.NotIn"/>.</summary>
    public IReadOnlyList<string>? Values { get; init; }
}

public sealed record SearchSort(string PropertyName, SortDirection Direction);

[JsonConverter(typeof(JsonStringEnumConverter<SearchOperator>))]
public enum SearchOperator
{
    [JsonStringEnumMemberName("EQ")] Eq,
    [JsonStringEnumMemberName("NEQ")] Neq,
    [JsonStringEnumMemberName("LT")] Lt,
    [JsonStringEnumMemberName("LTE")] Lte,
    [JsonStringEnumMemberName("GT")] Gt,
    [JsonStringEnumMemberName("GTE")] Gte,
    [JsonStringEnumMemberName("BETWEEN")] Between,
    [JsonStringEnumMemberName("IN")] In,
    [JsonStringEnumMemberName("NOT_IN")] NotIn,
    [JsonStringEnumMemberName("HAS_PROPERTY")] HasProperty,
    [JsonStringEnumMemberName("NOT_HAS_PROPERTY")] NotHasProperty,
    [JsonStringEnumMemberName("CONTAINS_TOKEN")] ContainsToken,
    [JsonStringEnumMemberName("NOT_CONTAINS_TOKEN")] NotContainsToken,
}

[JsonConverter(typeof(JsonStringEnumConverter<SortDirection>))]
public enum SortDirection
{
    [JsonStringEnumMemberName("ASCENDING")] Ascending,
    [JsonStringEnumMemberName("DESCENDING")] Descending,
}
