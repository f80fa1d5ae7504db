namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// The moments a contact first entered each stage, as HubSpot keeps them (<c>hs_v2_date_entered_&lt;stage&gt;</c>, or the
/// <c>lifecyclestage</c> history when those are empty); null for a stage never entered.
/// </summary>
public sealed record StageEntryDates(
    DateTimeOffset? Lead,
    DateTimeOffset? Mql,
    DateTimeOffset? Sql,
    DateTimeOffset? Opportunity,
    DateTimeOffset? Customer)
{
    /// <summary>No stage entered.</summary>
    public static StageEntryDates None { get; } = new(null, null, null, null, null);

    /// <summary>The moment the contact was first qualified (entered MQL or SQL, whichever came first), or null.</summary>
    public DateTimeOffset? Qualified => (Mql, Sql) switch
    {
        ({ } mql, { } sql) => mql < sql ? mql : sql,
        ({ } mql, null) => mql,
        (null, { } sql) => sql,
        _ => null,
    };
}

/// <summary>
/// One contact as the insights analysis sees it: the policy's inputs as they were at <see cref="Cutoff"/> (never today's values for a
/// contact qualified in the past), when it entered each stage, and what the worker recorded when it qualified it, if it did.
/// </summary>
/// <param name="AtCutoff">The policy's input properties (and conversion names) as they were at <see cref="Cutoff"/>.</param>
/// <param name="Cutoff">When the contact was first qualified (<see cref="StageEntryDates.Qualified"/>); the analysis time for one never qualified.</param>
/// <param name="Entered">When it entered each stage.</param>
/// <param name="AtMql">What the worker recorded when it made the contact an MQL (<c>{prefix}scores_at_mql</c>), or null.</param>
/// <param name="AtSql">What the worker recorded when it made the contact an SQL (<c>{prefix}scores_at_sql</c>), or null.</param>
/// <param name="OriginalSource">HubSpot's original source (<c>hs_analytics_source</c>), or null.</param>
/// <param name="FirstOffer">The first converting offer (<c>first_conversion_event_name</c>), or null.</param>
public sealed record InsightContact(
    ContactSnapshot AtCutoff,
    DateTimeOffset Cutoff,
    StageEntryDates Entered,
    RecordedScores? AtMql,
    RecordedScores? AtSql,
    string? OriginalSource,
    string? FirstOffer);

/// <summary>What an analysis is asked for.</summary>
/// <param name="TargetMqlToSqlRate">The MQL→SQL rate the threshold suggestion aims at (0–1).</param>
/// <param name="TargetMqlVolume">The number of MQLs (among the analysed contacts) the volume suggestion aims at, or null for none.</param>
/// <param name="BandWidth">Width of the fit and engagement bands of the calibration grid, in points.</param>
public sealed record InsightsRequest(double TargetMqlToSqlRate = 0.3, int? TargetMqlVolume = null, int BandWidth = 10);

/// <summary>A step of the funnel the analysis measures.</summary>
public enum FunnelStep
{
    /// <summary>Lead (or any contact) → MQL or beyond.</summary>
    LeadToMql,

    /// <summary>MQL → SQL or beyond.</summary>
    MqlToSql,

    /// <summary>SQL → opportunity or beyond.</summary>
    SqlToOpportunity,

    /// <summary>Qualified (MQL or SQL) → customer.</summary>
    QualifiedToCustomer,
}

/// <summary>How many contacts could take a step, and how many took it.</summary>
public sealed record StepRate(int Eligible, int Converted)
{
    /// <summary>Converted ÷ eligible, or null when none was eligible.</summary>
    public double? Rate => Eligible == 0 ? null : (double)Converted / Eligible;
}

/// <summary>A rate ratio (with ÷ without) and its 95 % confidence interval.</summary>
/// <remarks>
/// Katz's log method: ln(ratio) ± 1.96 × √(1/a − 1/n₁ + 1/c − 1/n₂). When either side converted no one (a or c is 0), 0.5 is added to
/// each of the four cells first (so n₁ and n₂ grow by 1), and <see cref="Ratio"/> is the corrected ratio, inside its interval.
/// </remarks>
public sealed record Lift(double Ratio, double Low, double High)
{
    /// <summary>True when a 0.5 continuity correction was applied (a side converted no one).</summary>
    public bool Corrected { get; init; }

    /// <summary>True when the interval contains 1: the data cannot tell this signal from no effect.</summary>
    public bool IncludesNoEffect => Low <= 1 && High >= 1;
}

/// <summary>One step compared between the contacts with a signal and those without it.</summary>
/// <param name="Step">The funnel step.</param>
/// <param name="With">The step's rate among contacts with the signal.</param>
/// <param name="Without">The step's rate among contacts without it.</param>
/// <param name="Lift">With ÷ without and its interval, or null when either side has no eligible contact.</param>
public sealed record StepComparison(FunnelStep Step, StepRate With, StepRate Without, Lift? Lift);

/// <summary>What kind of signal a <see cref="SignalLift"/> measures.</summary>
public enum SignalKind
{
    /// <summary>A rule of the policy (fired at the cut-off).</summary>
    Rule,

    /// <summary>An original source.</summary>
    Source,

    /// <summary>A first converting offer.</summary>
    Offer,
}

/// <summary>How the contacts with one signal moved through the funnel against those without it.</summary>
/// <param name="Kind">Rule, source or offer.</param>
/// <param name="Name">The rule id, the source or the offer.</param>
/// <param name="With">How many analysed contacts had the signal.</param>
/// <param name="Steps">Each funnel step compared.</param>
/// <param name="DoesNotPredict">True when the MQL→SQL and →customer intervals both contain 1 (no evidence the signal predicts), with enough contacts to say so.</param>
public sealed record SignalLift(SignalKind Kind, string Name, int With, IReadOnlyList<StepComparison> Steps, bool DoesNotPredict)
{
    /// <summary>
    /// True when the MQL→SQL and →customer steps each have at least <see cref="InsightsAnalyzer.MinimumEligible"/> eligible contacts on
    /// both sides: enough to say whether the signal predicts. False means "not enough data" (never "does not predict").
    /// </summary>
    public bool EnoughData { get; init; }

    /// <summary>The comparison of one step.</summary>
    public StepComparison Step(FunnelStep step) => Steps.First(s => s.Step == step);
}

/// <summary>One cell of the calibration grid: contacts whose fit and engagement at the cut-off fell in these bands.</summary>
/// <param name="FitLow">Lowest fit score of the band (inclusive).</param>
/// <param name="EngagementLow">Lowest engagement score of the band (inclusive).</param>
/// <param name="Contacts">Contacts in the cell.</param>
/// <param name="ToSql">Of them, how many became SQL (or went beyond).</param>
/// <param name="ToCustomer">Of them, how many became customers.</param>
public sealed record CalibrationCell(int FitLow, int EngagementLow, int Contacts, int ToSql, int ToCustomer);

/// <summary>Conversion by fit band × engagement band, with the policy's MQL thresholds.</summary>
/// <param name="BandWidth">Band width in points.</param>
/// <param name="MqlFitThreshold">Today's fit threshold of the MQL test.</param>
/// <param name="MqlEngagementThreshold">Today's engagement threshold of the MQL test.</param>
/// <param name="Cells">Every non-empty cell.</param>
public sealed record Calibration(int BandWidth, int MqlFitThreshold, int MqlEngagementThreshold, IReadOnlyList<CalibrationCell> Cells)
{
    /// <summary>
    /// What today's thresholds give on the basis the threshold suggestions use (fit and engagement at the cut-off at or above them, no
    /// disqualifier fired): how many would be MQLs and their MQL→SQL rate, to compare with each <see cref="ThresholdSuggestion"/>.
    /// </summary>
    public StepRate CurrentMqlToSql { get; init; } = new(0, 0);
}

/// <summary>MQL thresholds that would reach a target, and what they would have given on the analysed contacts.</summary>
/// <param name="Goal">What the thresholds aim at: <c>mql_to_sql_rate</c> or <c>mql_volume</c>.</param>
/// <param name="FitThreshold">The suggested fit threshold.</param>
/// <param name="EngagementThreshold">The suggested engagement threshold.</param>
/// <param name="Mqls">How many analysed contacts would have been MQLs.</param>
/// <param name="MqlToSql">Their MQL→SQL rate.</param>
public sealed record ThresholdSuggestion(string Goal, int FitThreshold, int EngagementThreshold, int Mqls, StepRate MqlToSql)
{
    /// <summary>The goal for an MQL→SQL rate target.</summary>
    public const string MqlToSqlRateGoal = "mql_to_sql_rate";

    /// <summary>The goal for an MQL volume target.</summary>
    public const string MqlVolumeGoal = "mql_volume";

    /// <summary>The target aimed at: the rate (0–1) or the number of MQLs.</summary>
    public double Target { get; init; }

    /// <summary>
    /// For <see cref="MqlToSqlRateGoal"/>: false when no pair of thresholds reaches the target (the suggestion is then the pair with the best
    /// rate). Always true for <see cref="MqlVolumeGoal"/> (the closest volume is the answer).
    /// </summary>
    public bool TargetReached { get; init; } = true;
}

/// <summary>A suggested number of points for a rule, from its measured lift. A suggestion only: review it with <c>policy check</c>.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="CurrentPoints">Its points in the analysed policy.</param>
/// <param name="SuggestedPoints">Points the measured lift suggests.</param>
/// <param name="Why">One line: the lift it rests on.</param>
public sealed record PointsSuggestion(string RuleId, int CurrentPoints, int SuggestedPoints, string Why);

/// <summary>What one policy would have done on the analysed contacts.</summary>
/// <param name="PolicyVersion">The policy's version.</param>
/// <param name="Mqls">Contacts it would have made MQL (or higher) at their cut-off.</param>
/// <param name="BecameSql">Of them, how many became SQL.</param>
/// <param name="BecameCustomer">Of them, how many became customers.</param>
/// <param name="MissedSqls">Contacts that became SQL which it would not have qualified.</param>
public sealed record PolicyOutcome(string PolicyVersion, int Mqls, int BecameSql, int BecameCustomer, int MissedSqls);

/// <summary>A candidate policy against the current one, on the same contacts.</summary>
public sealed record PolicyComparison(PolicyOutcome Current, PolicyOutcome Candidate);

/// <summary>The result of an insights analysis: plain data, rendered as a terminal summary, an HTML page and JSON.</summary>
/// <param name="AnalysedAt">When the analysis ran.</param>
/// <param name="PolicyVersion">The analysed policy's version.</param>
/// <param name="Contacts">How many contacts were analysed.</param>
/// <param name="Funnel">The funnel over all analysed contacts, step by step.</param>
/// <param name="Rules">Per rule of the policy.</param>
/// <param name="Sources">Per original source.</param>
/// <param name="Offers">Per first converting offer.</param>
/// <param name="Calibration">Conversion by fit × engagement band.</param>
/// <param name="Thresholds">Threshold suggestions (one per goal asked).</param>
/// <param name="Points">Suggested points per scoring rule.</param>
/// <param name="Comparison">The candidate against the current policy, when a candidate was given.</param>
public sealed record InsightsReport(
    DateTimeOffset AnalysedAt,
    string PolicyVersion,
    int Contacts,
    IReadOnlyDictionary<FunnelStep, StepRate> Funnel,
    IReadOnlyList<SignalLift> Rules,
    IReadOnlyList<SignalLift> Sources,
    IReadOnlyList<SignalLift> Offers,
    Calibration Calibration,
    IReadOnlyList<ThresholdSuggestion> Thresholds,
    IReadOnlyList<PointsSuggestion> Points,
    PolicyComparison? Comparison);
