namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>A rule that fired: its index in the policy's rule array, its points and the value its label may show.</summary>
internal readonly record struct FiredEntry(int Rule, int Points, int Value);

/// <summary>
/// What a decision's reason is built from besides its fired rules, kept in the decision: building the reason string costs
/// more than the rest of most evaluations, and the sync only needs it when it differs from what HubSpot holds.
/// </summary>
internal readonly record struct ReasonFacts(
    QualificationStatus Status,
    StageCause Cause,
    int DisqualifiedBy,
    int AdvocacyRule,
    DateOnly? BelowSince,
    int Fit,
    int Engagement,
    int EngagementRaw,
    int FitFired,
    int ScoredFired);

/// <summary>Inline storage for the fired rules of a decision (more go to an array of their own).</summary>
[System.Runtime.CompilerServices.InlineArray(Capacity)]
internal struct FiredEntries
{
    public const int Capacity = 16;

    private FiredEntry _element;
}
