namespace HubSyncWorker.Qualification;

/// <summary>The worker's own status, written to <c>{prefix}status</c>.</summary>
public enum QualificationStatus
{
    Contact,
    Lead,
    Mql,
    Sql,
    Opportunity,
    Customer,
    Evangelist,
    Disqualified,
    Recycled,
}

/// <summary>A rule that fired, with the points it gave (0 for disqualifiers and advocacy signals).</summary>
public readonly record struct FiredRule(string RuleId, int Points);

/// <summary>The outcome of evaluating one contact. Pure data: the host diffs it against HubSpot with <see cref="QualificationPolicy.ComputeChanges"/>.</summary>
/// <param name="ContactId">The contact's id.</param>
/// <param name="FitScore">Fit (ICP) score, 0–100.</param>
/// <param name="EngagementScore">Engagement after inactivity decay, rounded to an integer, 0..MaxScore.</param>
/// <param name="Score">Overall score, 0–100.</param>
/// <param name="Status">The worker's status.</param>
/// <param name="TargetLifecycleStage">Lifecycle stage to write (portal internal value), or null for "no change".</param>
/// <param name="RegressionRequired">True when the target is earlier than the current stage: clear the stage, then set it, in two requests.</param>
/// <param name="LeadStatusToSet">Lead status to write, or null for "leave it".</param>
/// <param name="SourceBucket">Source bucket for funnel reporting (<c>source:offer</c>).</param>
/// <param name="FiredRules">Rules that fired, in policy order.</param>
/// <param name="Reason">Short human-readable reason.</param>
/// <param name="MqlDate">Day the contact first became an MQL (kept once set), or null.</param>
/// <param name="BelowThresholdSince">Day an MQL fell below the MQL test (recycle window state), or null.</param>
/// <param name="PolicyVersion">Version of the policy that decided.</param>
public sealed record QualificationDecision(
    string ContactId,
    int FitScore,
    int EngagementScore,
    int Score,
    QualificationStatus Status,
    string? TargetLifecycleStage,
    bool RegressionRequired,
    string? LeadStatusToSet,
    string SourceBucket,
    IReadOnlyList<FiredRule> FiredRules,
    string Reason,
    DateOnly? MqlDate,
    DateOnly? BelowThresholdSince,
    string PolicyVersion);

/// <summary>What to write for one contact: only the properties whose value differs from HubSpot's.</summary>
/// <param name="ContactId">The contact's id.</param>
/// <param name="Changes">Property → new value ("" clears).</param>
/// <param name="ClearLifecycleStageFirst">Write <c>lifecyclestage = ""</c> in a separate request before <see cref="Changes"/> (regression).</param>
public sealed record WriteBackPlan(string ContactId, IReadOnlyDictionary<string, string> Changes, bool ClearLifecycleStageFirst)
{
    /// <summary>True when something must be written.</summary>
    public bool HasChanges => Changes.Count > 0;
}

/// <summary>Property values of <see cref="QualificationStatus"/>.</summary>
public static class QualificationStatusExtensions
{
    private static readonly string[] Values = ["contact", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "disqualified", "recycled"];
    private static readonly string[] Labels = ["Contact", "Lead", "MQL", "SQL", "Opportunity", "Customer", "Evangelist", "Disqualified", "Recycled"];

    /// <summary>The enumeration option value written to HubSpot (<c>mql</c>, <c>recycled</c>, ...).</summary>
    public static string ToPropertyValue(this QualificationStatus status) => Values[(int)status];

    /// <summary>The label shown to marketers (<c>MQL</c>, <c>Recycled</c>, ...).</summary>
    public static string ToLabel(this QualificationStatus status) => Labels[(int)status];
}

/// <summary>An output property the host creates at start (mapped to HubSpot's property create body).</summary>
/// <param name="Name">Internal name (prefixed).</param>
/// <param name="Label">Label shown in HubSpot.</param>
/// <param name="Description">Description shown in HubSpot.</param>
/// <param name="Type">HubSpot type: number, string, enumeration, date.</param>
/// <param name="FieldType">HubSpot field type: number, text, textarea, select, date.</param>
/// <param name="Options">Options of an enumeration (empty otherwise).</param>
public sealed record OutputPropertyDefinition(string Name, string Label, string Description, string Type, string FieldType, IReadOnlyList<OutputPropertyOption> Options);

/// <summary>One option of an enumeration output property.</summary>
public sealed record OutputPropertyOption(string Label, string Value, int DisplayOrder);
