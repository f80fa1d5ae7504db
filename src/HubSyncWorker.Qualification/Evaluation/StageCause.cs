namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>Why a contact's stage is what it is; the reason's header names it.</summary>
internal enum StageCause
{
    None,
    Lead,
    Mql,
    HandRaiser,
    SalesConnected,
    Deal,
    Budget,
    Advocacy,
    InHubSpot,
}

internal static class StageCauseExtensions
{
    /// <summary>The words of the reason's header: "MQL (<c>fit and engagement meet the MQL test</c>): ..."; empty for <see cref="StageCause.None"/>.</summary>
    public static string ToText(this StageCause cause) => cause switch
    {
        StageCause.Lead => "converted or engaged",
        StageCause.Mql => "fit and engagement meet the MQL test",
        StageCause.HandRaiser => "hand-raiser conversion",
        StageCause.SalesConnected => "sales connected",
        StageCause.Deal => "deal",
        StageCause.Budget => "budget and timeline",
        StageCause.Advocacy => "advocacy",
        StageCause.InHubSpot => "stage set in HubSpot",
        _ => string.Empty,
    };
}
