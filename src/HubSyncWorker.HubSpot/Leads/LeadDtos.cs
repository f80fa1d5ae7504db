using System.Globalization;
using HubSyncWorker.HubSpot.Contacts;

namespace HubSyncWorker.HubSpot.Leads;

/// <summary>HubSpot's ids for the Leads object and its default pipeline, and the association types the handoff uses.</summary>
public static class HubSpotLeadIds
{
    /// <summary>The Leads object's type id.</summary>
    public const string ObjectTypeId = "0-136";

    /// <summary>The default lead pipeline (<c>hs_pipeline</c>).</summary>
    public const string DefaultPipelineId = "lead-pipeline-id";

    /// <summary>Default pipeline stage New: where a lead starts.</summary>
    public const string NewStageId = "new-stage-id";

    /// <summary>Default pipeline stage Attempting.</summary>
    public const string AttemptingStageId = "attempting-stage-id";

    /// <summary>Default pipeline stage Connected.</summary>
    public const string ConnectedStageId = "connected-stage-id";

    /// <summary>Default pipeline stage Qualified (closes the lead).</summary>
    public const string QualifiedStageId = "qualified-stage-id";

    /// <summary>Default pipeline stage Disqualified (closes the lead; the reason in <c>hs_lead_disqualification_reason</c>).</summary>
    public const string DisqualifiedStageId = "unqualified-stage-id";

    /// <summary>Association type "Lead to primary contact" (HUBSPOT_DEFINED), used on create.</summary>
    public const int LeadToPrimaryContact = 578;

    /// <summary>Association type "Lead to contact" (HUBSPOT_DEFINED).</summary>
    public const int LeadToContact = 608;

    /// <summary>Association type "Task to contact" (HUBSPOT_DEFINED).</summary>
    public const int TaskToContact = 204;

    /// <summary>Association type "Task to lead" (HUBSPOT_DEFINED).</summary>
    public const int TaskToLead = 647;

    /// <summary>The scopes the Leads calls need (a paid Sales Hub seat is needed to grant them).</summary>
    public static IReadOnlyList<string> Scopes { get; } = ["crm.objects.leads.read", "crm.objects.leads.write"];
}

/// <summary>A lead to create for a contact.</summary>
public sealed record LeadToCreate
{
    /// <summary>The contact the lead is for (associated as its primary contact, type 578).</summary>
    public required string ContactId { get; init; }

    /// <summary><c>hs_lead_name</c>, required by HubSpot.</summary>
    public required string Name { get; init; }

    /// <summary><c>hubspot_owner_id</c>; HubSpot asks for an owner with a Sales seat. Null leaves the lead unassigned.</summary>
    public string? OwnerId { get; init; }

    /// <summary><c>hs_pipeline</c>. Default the default lead pipeline.</summary>
    public string PipelineId { get; init; } = HubSpotLeadIds.DefaultPipelineId;

    /// <summary><c>hs_pipeline_stage</c>. Default New.</summary>
    public string StageId { get; init; } = HubSpotLeadIds.NewStageId;

    /// <summary>Further properties (e.g. <c>hs_lead_label</c>, a custom handoff-reason property). Must not repeat the ones above.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A HubSpot lead. Every value is a string as HubSpot sends it; the named accessors read the standard properties (null when not
/// requested or empty).
/// </summary>
public sealed record HubSpotLead
{
    public required string Id { get; init; }

    public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public bool Archived { get; init; }

    /// <summary>Present when history was requested; newest value first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryEntry>>? PropertiesWithHistory { get; init; }

    public string? Name => Get("hs_lead_name");

    public string? PipelineId => Get("hs_pipeline");

    public string? StageId => Get("hs_pipeline_stage");

    public string? OwnerId => Get("hubspot_owner_id");

    public string? PrimaryContactId => Get("hs_primary_contact_id");

    public string? DisqualificationReason => Get("hs_lead_disqualification_reason");

    /// <summary>
    /// Whether the lead is open: HubSpot's calculated <c>hs_lead_is_open</c> when it was read, otherwise whether <see cref="StageId"/> is
    /// neither Qualified nor Disqualified of the default pipeline; null when neither was read.
    /// </summary>
    public bool? IsOpen => Get("hs_lead_is_open") is { } open
        ? string.Equals(open, "true", StringComparison.OrdinalIgnoreCase)
        : StageId is { } stage ? stage is not (HubSpotLeadIds.QualifiedStageId or HubSpotLeadIds.DisqualifiedStageId) : null;

    /// <summary>The <c>hs_pipeline_stage</c> history (newest first) when it was requested; empty otherwise.</summary>
    public IReadOnlyList<PropertyHistoryEntry> StageHistory =>
        PropertiesWithHistory?.GetValueOrDefault("hs_pipeline_stage") ?? [];

    public string? Get(string propertyName) => Properties.TryGetValue(propertyName, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    internal static HubSpotLead From(CrmObjectRecord record) => new()
    {
        Id = record.Id,
        Properties = record.Properties,
        CreatedAt = record.CreatedAt,
        UpdatedAt = record.UpdatedAt,
        Archived = record.Archived,
        PropertiesWithHistory = record.PropertiesWithHistory,
    };
}

/// <summary>Outcome of a lead batch read: the leads found, and the requested ids HubSpot has no lead for.</summary>
public sealed record LeadReadResult(IReadOnlyList<HubSpotLead> Found, IReadOnlyList<string> NotFoundIds);

/// <summary>A page of lead search results; <see cref="NextAfter"/> is null on the last page.</summary>
public sealed record LeadSearchPage(int Total, IReadOnlyList<HubSpotLead> Results, string? NextAfter);

/// <summary>Wire shape of a CRM object (lead, task) record.</summary>
internal sealed record CrmObjectRecord
{
    public required string Id { get; init; }

    public IReadOnlyDictionary<string, string?> Properties { get; init; } = new Dictionary<string, string?>();

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public bool Archived { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryEntry>>? PropertiesWithHistory { get; init; }
}

/// <summary>Body of a single create: properties and associations (HubSpot's <c>SimplePublicObjectInputForCreate</c>).</summary>
internal sealed record CrmObjectCreateRequest(IReadOnlyDictionary<string, string> Properties, IReadOnlyList<CrmAssociationInput> Associations);

internal sealed record CrmAssociationInput(CrmObjectId To, IReadOnlyList<CrmAssociationType> Types)
{
    public static CrmAssociationInput HubSpotDefined(string toId, int typeId) => new(new CrmObjectId(toId), [new CrmAssociationType("HUBSPOT_DEFINED", typeId)]);
}

internal sealed record CrmObjectId(string Id);

internal sealed record CrmAssociationType(string AssociationCategory, int AssociationTypeId);

internal sealed record CrmObjectUpdateRequest(IReadOnlyDictionary<string, string> Properties);

/// <summary>One entry of an association read (<c>{"toObjectId","associationTypes":[...]}</c>); the id arrives as a number (v4) or a string (dated).</summary>
internal sealed record AssociatedObject
{
    public string? ToObjectId { get; init; }

    public static string? Normalize(string? id) =>
        id is not null && decimal.TryParse(id, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString("0", CultureInfo.InvariantCulture) : id;
}
