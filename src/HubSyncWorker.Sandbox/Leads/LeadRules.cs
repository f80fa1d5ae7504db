using HubSyncWorker.Sandbox.Crm;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox.Leads;

/// <summary>
/// The lead object's properties: <c>hs_lead_name</c> required on create, <c>hs_pipeline</c>/<c>hs_pipeline_stage</c> default to the
/// default pipeline's New stage and a stage must belong to the pipeline, <c>hs_lead_label</c> HOT/WARM/COLD; calculated
/// <c>hs_lead_is_open</c> (false in Qualified and Disqualified) and <c>hs_primary_contact_id</c>.
/// </summary>
internal sealed class LeadRules(SandboxOwners owners) : CrmPropertyRules(owners)
{
    protected override IReadOnlyDictionary<string, string[]?> Writable { get; } = new Dictionary<string, string[]?>(StringComparer.Ordinal)
    {
        ["hs_lead_name"] = null,
        ["hs_pipeline"] = [SandboxLeadPipeline.PipelineId],
        ["hs_pipeline_stage"] = null,
        ["hubspot_owner_id"] = null,
        ["hs_lead_label"] = ["HOT", "WARM", "COLD"],
        ["hs_lead_type"] = null,
        ["hs_lead_disqualification_reason"] = null,
        ["hs_lead_disqualification_note"] = null,
    };

    protected override IReadOnlySet<string> Calculated { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "hs_object_id", "hs_createdate", "hs_lastmodifieddate", "hs_primary_contact_id", "hs_lead_is_open",
    };

    public override List<CrmPropertyError> Validate(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string?> input, bool create, Dictionary<string, string> normalized)
    {
        var errors = base.Validate(current, input, create, normalized);
        if (create && string.IsNullOrWhiteSpace(input.GetValueOrDefault("hs_lead_name")))
        {
            errors.Add(new CrmPropertyError("hs_lead_name", "REQUIRED_PROPERTY", "A lead must have a name: hs_lead_name is required."));
        }

        if (create)
        {
            normalized.TryAdd("hs_pipeline", SandboxLeadPipeline.PipelineId);
            normalized.TryAdd("hs_pipeline_stage", SandboxLeadPipeline.New);
        }

        if (normalized.TryGetValue("hs_pipeline", out var pipeline) && pipeline.Length == 0 || normalized.TryGetValue("hs_pipeline_stage", out var cleared) && cleared.Length == 0)
        {
            errors.Add(new CrmPropertyError("hs_pipeline_stage", "INVALID_OPTION", "A lead's pipeline and stage cannot be cleared."));
        }
        else if (normalized.TryGetValue("hs_pipeline_stage", out var stage) && !SandboxLeadPipeline.IsStage(stage))
        {
            var pipelineId = normalized.GetValueOrDefault("hs_pipeline") ?? current?.GetValueOrDefault("hs_pipeline") ?? SandboxLeadPipeline.PipelineId;
            errors.Add(new CrmPropertyError("hs_pipeline_stage", "INVALID_OPTION",
                $"{stage} is not a valid stage of pipeline {pipelineId}: [{string.Join(", ", SandboxLeadPipeline.Stages.Select(s => s.Id))}]"));
        }

        return errors;
    }

    public override void Recompute(CrmObjectRecord record)
    {
        RecomputeCommon(record);
        if (record.PrimaryContactId is { } contactId)
        {
            record.Values["hs_primary_contact_id"] = contactId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        record.Values["hs_lead_is_open"] = SandboxLeadPipeline.IsClosed(record.Values.GetValueOrDefault("hs_pipeline_stage") ?? "") ? "false" : "true";
    }
}
