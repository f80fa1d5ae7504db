namespace HubSyncWorker.Sandbox.Portal;

/// <summary>
/// The effects <see cref="PortalGenerator.SeedWithHistory"/> plants in a portal's past, so an analysis of its history has a truth to recover.
/// The defaults are those of issue 19: demo-video viewers become SQL three times as often, the newsletter makes no difference, students
/// never become SQL, referrals convert twice as well, a third of SQLs become customers. Signals are those of the default policy's rules
/// (<c>demo-video</c>, <c>newsletter</c>, <c>student-title</c>), read at each contact's cut-off (its MQL date; today for a contact never qualified).
/// </summary>
public sealed record PortalHistoryOptions
{
    /// <summary>Share of contacts that converted at least once (leads, created by their first form); the others stay subscribers. Default 0.75.</summary>
    public double LeadShare { get; init; } = 0.75;

    /// <summary>Share of leads that became MQL, whatever their signals (no planted effect on this step). Default 0.4.</summary>
    public double LeadToMqlRate { get; init; } = 0.4;

    /// <summary>MQL→SQL chance of an MQL with none of the planted signals (no demo video, not from <see cref="BetterSource"/>, not a student). Default 0.15.</summary>
    public double MqlToSqlRate { get; init; } = 0.15;

    /// <summary>Share of leads that watched the demo video (a conversion matching the <c>demo-video</c> rule) by their cut-off. Default 0.3.</summary>
    public double DemoVideoShare { get; init; } = 0.3;

    /// <summary>How many times more often a demo-video viewer (before its MQL date) becomes SQL. Default 3.</summary>
    public double DemoVideoFactor { get; init; } = 3;

    /// <summary>Share of leads that signed up for the newsletter by their cut-off; it changes no chance (the no-effect signal). Default 0.4.</summary>
    public double NewsletterShare { get; init; } = 0.4;

    /// <summary>Share of contacts whose job title is Student or Intern at their cut-off (the <c>student-title</c> rule); they never become SQL. Default 0.12.</summary>
    public double StudentShare { get; init; } = 0.12;

    /// <summary>The original source (<c>hs_analytics_source</c>) whose MQLs become SQL more often. Default <c>REFERRALS</c>.</summary>
    public string BetterSource { get; init; } = "REFERRALS";

    /// <summary>How many times more often an MQL from <see cref="BetterSource"/> becomes SQL. Default 2.</summary>
    public double BetterSourceFactor { get; init; } = 2;

    /// <summary>Share of SQLs that reached opportunity. Default 0.6.</summary>
    public double SqlToOpportunityRate { get; init; } = 0.6;

    /// <summary>Share of SQLs that became customers (all through opportunity, so at most <see cref="SqlToOpportunityRate"/>). Default 1/3.</summary>
    public double SqlToCustomerRate { get; init; } = 1.0 / 3;

    /// <summary>
    /// Share of MQLs that changed a policy input after their MQL date (<see cref="HindsightKind"/>), so today's values differ from those at
    /// the cut-off; their funnel follows the values at the cut-off. Default 0.15.
    /// </summary>
    public double HindsightShare { get; init; } = 0.15;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(LeadShare), LeadShare), (nameof(LeadToMqlRate), LeadToMqlRate), (nameof(MqlToSqlRate), MqlToSqlRate),
                     (nameof(DemoVideoShare), DemoVideoShare), (nameof(NewsletterShare), NewsletterShare), (nameof(StudentShare), StudentShare),
                     (nameof(SqlToOpportunityRate), SqlToOpportunityRate), (nameof(SqlToCustomerRate), SqlToCustomerRate), (nameof(HindsightShare), HindsightShare),
                 })
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(name, value, $"PortalHistoryOptions.{name} must be between 0 and 1 (was {value}).");
            }
        }

        if (!(DemoVideoFactor >= 0) || !(BetterSourceFactor >= 0) || MqlToSqlRate * Math.Max(1, DemoVideoFactor) * Math.Max(1, BetterSourceFactor) > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DemoVideoFactor), DemoVideoFactor,
                $"PortalHistoryOptions: MqlToSqlRate × DemoVideoFactor × BetterSourceFactor must be a chance, at most 1 (was {MqlToSqlRate} × {DemoVideoFactor} × {BetterSourceFactor}).");
        }

        if (SqlToCustomerRate > SqlToOpportunityRate)
        {
            throw new ArgumentOutOfRangeException(nameof(SqlToCustomerRate), SqlToCustomerRate,
                $"PortalHistoryOptions.SqlToCustomerRate ({SqlToCustomerRate}) cannot exceed SqlToOpportunityRate ({SqlToOpportunityRate}): customers pass through opportunity.");
        }
    }

    /// <summary>The planted MQL→SQL chance of an MQL with these signals at its cut-off.</summary>
    public double MqlToSqlChance(bool demoVideo, bool betterSource, bool student) =>
        student ? 0 : MqlToSqlRate * (demoVideo ? DemoVideoFactor : 1) * (betterSource ? BetterSourceFactor : 1);
}

/// <summary>How a hindsight contact changed a policy input after its MQL date.</summary>
public enum HindsightKind
{
    /// <summary>A senior job title at the cut-off, "Student" today (the student rule fires today, not at the cut-off).</summary>
    SeniorBecameStudent,

    /// <summary>"Student" or "Intern" at the cut-off, a senior title today (the student rule fired at the cut-off, not today).</summary>
    StudentBecameSenior,

    /// <summary>No demo video by the cut-off, one watched after it (the demo-video rule fires today, not at the cut-off).</summary>
    VideoAfterCutoff,
}

/// <summary>A policy input a contact changed after its cut-off.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="At">When.</param>
/// <param name="Property">The property whose value changed (<c>jobtitle</c>, or <c>recent_conversion_event_name</c> for a later conversion).</param>
/// <param name="ValueAtCutoff">Its value at the cut-off (null when unset).</param>
/// <param name="ValueToday">Its value today.</param>
public sealed record HindsightChange(HindsightKind Kind, DateTimeOffset At, string Property, string? ValueAtCutoff, string ValueToday);

/// <summary>
/// What the generator planted for one contact: its path through the funnel (the moments it entered each stage, as the stage dates and
/// the <c>lifecyclestage</c> history show them) and the planted signals it had at its cut-off.
/// </summary>
/// <param name="Index">The contact's number in the generated portal (0 to count − 1).</param>
/// <param name="Id">Its record id in the store.</param>
/// <param name="CreatedAt">Its <c>createdate</c>.</param>
/// <param name="LeadAt">When it became a lead (its first conversion, at creation), or null for a subscriber.</param>
/// <param name="MqlAt">When it became MQL, or null.</param>
/// <param name="SqlAt">When it became SQL, or null.</param>
/// <param name="OpportunityAt">When it became an opportunity, or null.</param>
/// <param name="CustomerAt">When it became a customer, or null.</param>
/// <param name="Cutoff">Its MQL date, or the generation's <c>now</c> for a contact never qualified.</param>
/// <param name="OriginalSource">Its <c>hs_analytics_source</c>.</param>
/// <param name="FirstConversion">Its <c>first_conversion_event_name</c>, or null.</param>
/// <param name="DemoVideo">It had a demo-video conversion by its cut-off.</param>
/// <param name="Newsletter">It had a newsletter conversion by its cut-off.</param>
/// <param name="Student">Its job title at the cut-off was Student or Intern.</param>
/// <param name="BetterSource">Its original source is <see cref="PortalHistoryOptions.BetterSource"/>.</param>
/// <param name="ConversionsAtCutoff">Its conversion names by the cut-off, oldest first.</param>
/// <param name="Hindsight">The policy input it changed after its cut-off, or null.</param>
public sealed record ContactTruth(
    int Index,
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LeadAt,
    DateTimeOffset? MqlAt,
    DateTimeOffset? SqlAt,
    DateTimeOffset? OpportunityAt,
    DateTimeOffset? CustomerAt,
    DateTimeOffset Cutoff,
    string OriginalSource,
    string? FirstConversion,
    bool DemoVideo,
    bool Newsletter,
    bool Student,
    bool BetterSource,
    IReadOnlyList<string> ConversionsAtCutoff,
    HindsightChange? Hindsight);

/// <summary>The truth planted in a generated portal: the options (the planted rates) and, per contact index, what it was given.</summary>
/// <param name="Options">The planted effects.</param>
/// <param name="Now">The generation's <c>now</c>: every moment of the portal's past is before it.</param>
/// <param name="Contacts">One per contact, by index (<c>Contacts[i].Index == i</c>).</param>
public sealed record PortalTruth(PortalHistoryOptions Options, DateTimeOffset Now, IReadOnlyList<ContactTruth> Contacts)
{
    /// <summary>The record ids, by index.</summary>
    public IReadOnlyList<string> Ids => [.. Contacts.Select(c => c.Id)];

    /// <summary>The contacts that became MQL.</summary>
    public IEnumerable<ContactTruth> Mqls => Contacts.Where(c => c.MqlAt is not null);

    /// <summary>The MQLs that changed a policy input after their MQL date.</summary>
    public IEnumerable<ContactTruth> HindsightContacts => Contacts.Where(c => c.Hindsight is not null);
}
