using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification;

/// <summary>The worker's own status, written to <c>{prefix}status</c>.</summary>
/// <remarks>
/// <see cref="Contact"/> to <see cref="Evangelist"/> are also the lifecycle stages, in funnel order: the policy compares
/// stages by this order, and the status property's options are listed in it.
/// </remarks>
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
/// <remarks>
/// A decision made by <see cref="QualificationPolicy.Evaluate"/> keeps the facts its <see cref="Reason"/> and
/// <see cref="FiredRules"/> are made of (the rules that fired, their points and values, the status and its cause) and builds
/// the string and the list the first time they are read: most evaluations are of contacts whose reason HubSpot already
/// holds, and <see cref="QualificationPolicy.ComputeChanges"/> compares the reason without building it. The text is the
/// same whenever it is built (the facts are copied into the decision and never change; <c>with</c> copies them too), and
/// building it from several threads at once is safe (each builds the same string). Equality compares the public values:
/// the reason by its text and the fired rules element by element.
/// </remarks>
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
    string PolicyVersion)
{
    // Set by Evaluate (null for a decision built with its reason and fired rules given).
    private readonly ReasonText? _reasons;
    private readonly ReasonFacts _facts;
    private readonly FiredEntries _fired;
    private readonly int _firedCount;
    private readonly FiredEntry[]? _firedOverflow;
    private IReadOnlyList<FiredRule>? _firedRules = FiredRules;
    private string? _reason = Reason;

    /// <summary>A decision whose reason and fired rules <paramref name="reasons"/> builds from <paramref name="facts"/> when they are read.</summary>
    internal QualificationDecision(
        string contactId,
        int fitScore,
        int engagementScore,
        int score,
        QualificationStatus status,
        string? targetLifecycleStage,
        bool regressionRequired,
        string? leadStatusToSet,
        string sourceBucket,
        DateOnly? mqlDate,
        DateOnly? belowThresholdSince,
        string policyVersion,
        ReasonText reasons,
        in ReasonFacts facts,
        ReadOnlySpan<FiredEntry> fired)
        : this(contactId, fitScore, engagementScore, score, status, targetLifecycleStage, regressionRequired, leadStatusToSet, sourceBucket,
            null!, null!, mqlDate, belowThresholdSince, policyVersion)
    {
        _reasons = reasons;
        _facts = facts;
        if (fired.Length <= FiredEntries.Capacity)
        {
            fired.CopyTo(_fired);
            _firedCount = fired.Length;
        }
        else
        {
            _firedOverflow = fired.ToArray();
        }
    }

    /// <summary>Rules that fired, in policy order.</summary>
    public IReadOnlyList<FiredRule> FiredRules
    {
        get => _firedRules ??= _reasons?.FiredRules(Fired)!;
        init => _firedRules = value;
    }

    /// <summary>Short human-readable reason.</summary>
    public string Reason
    {
        get => _reason ??= _reasons?.Build(in _facts, Fired)!;
        init => _reason = value;
    }

    /// <summary>What will build <see cref="Reason"/> from <see cref="Facts"/>; null once it is built or when it was given.</summary>
    internal ReasonText? UnbuiltReason => _reason is null ? _reasons : null;

    /// <inheritdoc cref="ReasonFacts"/>
    internal ref readonly ReasonFacts Facts => ref _facts;

    /// <summary>The rules that fired, as <see cref="QualificationPolicy.Evaluate"/> recorded them.</summary>
    internal ReadOnlySpan<FiredEntry> Fired => _firedOverflow ?? ((ReadOnlySpan<FiredEntry>)_fired)[.._firedCount];

    /// <summary>Keeps a reason built elsewhere from this decision's facts (the same text <see cref="Reason"/> would build).</summary>
    internal void KeepReason(string reason) => _reason ??= reason;

    /// <summary>Equal when every public value is: the reason by its text, the fired rules element by element.</summary>
    public bool Equals(QualificationDecision? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (ContactId == other.ContactId && FitScore == other.FitScore && EngagementScore == other.EngagementScore && Score == other.Score
                && Status == other.Status && TargetLifecycleStage == other.TargetLifecycleStage && RegressionRequired == other.RegressionRequired
                && LeadStatusToSet == other.LeadStatusToSet && SourceBucket == other.SourceBucket && MqlDate == other.MqlDate
                && BelowThresholdSince == other.BelowThresholdSince && PolicyVersion == other.PolicyVersion && Reason == other.Reason
                && FiredRules.SequenceEqual(other.FiredRules)));

    public override int GetHashCode() => HashCode.Combine(ContactId, FitScore, EngagementScore, Score, Status, SourceBucket, Reason, PolicyVersion);
}

/// <summary>What to write for one contact: only the properties whose value differs from HubSpot's.</summary>
/// <param name="ContactId">The contact's id.</param>
/// <param name="Changes">Property → new value ("" clears).</param>
/// <param name="ClearLifecycleStageFirst">Clear the stage property (<see cref="QualificationPolicy.LifecycleProperty"/>) in a separate request before <see cref="Changes"/> (regression).</param>
public sealed record WriteBackPlan(string ContactId, IReadOnlyDictionary<string, string> Changes, bool ClearLifecycleStageFirst)
{
    /// <summary>True when something must be written.</summary>
    public bool HasChanges => Changes.Count > 0;
}

/// <summary>Property values of <see cref="QualificationStatus"/>.</summary>
public static class QualificationStatusExtensions
{
    /// <summary>The enumeration option value written to HubSpot (<c>mql</c>, <c>recycled</c>, ...).</summary>
    public static string ToPropertyValue(this QualificationStatus status) => status switch
    {
        QualificationStatus.Contact => "contact",
        QualificationStatus.Lead => "lead",
        QualificationStatus.Mql => "mql",
        QualificationStatus.Sql => "sql",
        QualificationStatus.Opportunity => "opportunity",
        QualificationStatus.Customer => "customer",
        QualificationStatus.Evangelist => "evangelist",
        QualificationStatus.Disqualified => "disqualified",
        QualificationStatus.Recycled => "recycled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The label shown to marketers (<c>MQL</c>, <c>Recycled</c>, ...).</summary>
    public static string ToLabel(this QualificationStatus status) => status switch
    {
        QualificationStatus.Contact => "Contact",
        QualificationStatus.Lead => "Lead",
        QualificationStatus.Mql => "MQL",
        QualificationStatus.Sql => "SQL",
        QualificationStatus.Opportunity => "Opportunity",
        QualificationStatus.Customer => "Customer",
        QualificationStatus.Evangelist => "Evangelist",
        QualificationStatus.Disqualified => "Disqualified",
        QualificationStatus.Recycled => "Recycled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
