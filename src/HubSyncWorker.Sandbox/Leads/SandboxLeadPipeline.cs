namespace HubSyncWorker.Sandbox.Leads;

/// <summary>
/// HubSpot's default lead pipeline and its stage ids (the ids HubSpot uses in every portal for the default pipeline; portals may add
/// pipelines and stages, whose ids are numbers). Qualified and Disqualified close a lead; the others leave it open.
/// </summary>
public static class SandboxLeadPipeline
{
    /// <summary>The default lead pipeline's id (<c>hs_pipeline</c>).</summary>
    public const string PipelineId = "lead-pipeline-id";

    /// <summary>New: the first stage, where a lead is created.</summary>
    public const string New = "new-stage-id";

    /// <summary>Attempting (to contact).</summary>
    public const string Attempting = "attempting-stage-id";

    /// <summary>Connected.</summary>
    public const string Connected = "connected-stage-id";

    /// <summary>Qualified: closed, sales accepted the lead.</summary>
    public const string Qualified = "qualified-stage-id";

    /// <summary>Disqualified: closed, sales rejected the lead (the reason in <c>hs_lead_disqualification_reason</c>).</summary>
    public const string Disqualified = "unqualified-stage-id";

    /// <summary>The stages in pipeline order, with their labels.</summary>
    public static IReadOnlyList<(string Id, string Label)> Stages { get; } =
    [
        (New, "New"), (Attempting, "Attempting"), (Connected, "Connected"), (Qualified, "Qualified"), (Disqualified, "Disqualified"),
    ];

    /// <summary>True for the stages that close a lead (Qualified, Disqualified).</summary>
    public static bool IsClosed(string stageId) => stageId is Qualified or Disqualified;

    internal static bool IsStage(string stageId) => Stages.Any(s => s.Id == stageId);
}
