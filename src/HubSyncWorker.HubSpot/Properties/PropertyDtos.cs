namespace HubSyncWorker.HubSpot.Properties;

/// <summary>
/// A contact property as HubSpot returns it. <see cref="Type"/> and <see cref="FieldType"/> are plain strings because HubSpot
/// returns values outside its own create enum (<c>calculation_score</c>, <c>calculation_rollup</c>, ...).
/// </summary>
public sealed record HubSpotProperty
{
    public required string Name { get; init; }

    public string? Label { get; init; }

    public string? Description { get; init; }

    public string? Type { get; init; }

    public string? FieldType { get; init; }

    public string? GroupName { get; init; }

    public IReadOnlyList<PropertyOption> Options { get; init; } = [];

    public int? DisplayOrder { get; init; }

    public bool? Calculated { get; init; }

    public bool? HasUniqueValue { get; init; }

    public bool? Hidden { get; init; }

    public bool? HubspotDefined { get; init; }

    public bool? FormField { get; init; }

    public bool? Archived { get; init; }
}

/// <summary>One option of an enumeration property (<c>lifecyclestage</c>, <c>hs_lead_status</c>, our own MQL status...).</summary>
public sealed record PropertyOption
{
    public required string Label { get; init; }

    public required string Value { get; init; }

    /// <summary>Position in the portal's list (-1: after the others). Required on writes from 2026-03: the client sends an option without one at its position in the list.</summary>
    public int? DisplayOrder { get; init; }

    public bool Hidden { get; init; }

    public string? Description { get; init; }
}

/// <summary>A contact property group.</summary>
public sealed record HubSpotPropertyGroup
{
    public required string Name { get; init; }

    public string? Label { get; init; }

    public int? DisplayOrder { get; init; }

    public bool? Archived { get; init; }
}

/// <summary>Body of <c>POST /crm/properties/{version}/contacts</c>.</summary>
public sealed record PropertyCreate
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    public required string Type { get; init; }

    public required string FieldType { get; init; }

    public required string GroupName { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<PropertyOption>? Options { get; init; }

    public int? DisplayOrder { get; init; }

    public bool? Hidden { get; init; }

    public bool? FormField { get; init; }
}

/// <summary>Body of <c>PATCH /crm/properties/{version}/contacts/{name}</c>: only the fields set are changed; <see cref="Options"/> replaces the whole list.</summary>
public sealed record PropertyUpdate
{
    public string? Label { get; init; }

    public string? Description { get; init; }

    public string? FieldType { get; init; }

    public string? GroupName { get; init; }

    public IReadOnlyList<PropertyOption>? Options { get; init; }
}

/// <summary>Body of <c>POST /crm/properties/{version}/contacts/groups</c>.</summary>
public sealed record PropertyGroupCreate(string Name, string Label, int? DisplayOrder = null);

internal sealed record PropertyCollection<T>
{
    public IReadOnlyList<T> Results { get; init; } = [];
}
