using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>The stage a contact's data supports (<c>Lead</c>, <c>Mql</c>, <c>Sql</c>, <c>Opportunity</c> sections), before what HubSpot holds is taken into account.</summary>
internal sealed class StageTests
{
    private readonly int _minConversions;
    private readonly int _mqlMinFit;
    private readonly int _mqlMinEngagement;
    private readonly int _sqlMinFit;
    private readonly StringTable<bool> _sqlLeadStatuses;
    private readonly int _minDeals;
    private readonly double _minBudget;
    private readonly double _maxTimeline;
    private readonly int _conversionCountSlot;
    private readonly int _leadStatusSlot;
    private readonly int _dealsSlot;
    private readonly int _budgetSlot;
    private readonly int _timelineSlot;

    public StageTests(QualificationPolicyOptions options, PropertySlots slots)
    {
        _minConversions = options.Lead.MinConversions;
        _mqlMinFit = options.Mql.MinFit;
        _mqlMinEngagement = options.Mql.MinEngagement;
        _sqlMinFit = options.Sql.MinFit;
        _sqlLeadStatuses = new StringTable<bool>(options.Sql.LeadStatuses.Select(s => KeyValuePair.Create(s.Trim(), true)), ignoreCase: true);
        _minDeals = options.Opportunity.MinDeals;
        _minBudget = options.Opportunity.MinBudget;
        _maxTimeline = options.Opportunity.MaxTimelineMonths;
        _conversionCountSlot = slots.SlotOf(options.Lead.ConversionCountProperty);
        _leadStatusSlot = slots.SlotOf(options.LeadStatus.Property);
        _dealsSlot = slots.SlotOf(options.Opportunity.DealsProperty);
        _budgetSlot = slots.SlotOf(options.Opportunity.BudgetProperty);
        _timelineSlot = slots.SlotOf(options.Opportunity.TimelineProperty);
    }

    /// <summary>The latest stage whose test the contact passes (<see cref="QualificationStatus.Contact"/> when none), and why.</summary>
    /// <param name="values">The contact's gathered values.</param>
    /// <param name="contact">Its scores.</param>
    /// <param name="current">The stage HubSpot holds, when the worker owns it: a sales-connected MQL or a budgeted SQL in HubSpot move on.</param>
    /// <param name="cause">Why the contact passes that stage's test.</param>
    public QualificationStatus Supported(ReadOnlySpan<string?> values, in ScoredContact contact, QualificationStatus? current, out StageCause cause)
    {
        var supported = QualificationStatus.Contact;
        cause = StageCause.None;
        var conversions = Math.Max(contact.ConversionNames, Count(values[_conversionCountSlot]));
        if ((_minConversions > 0 && conversions >= _minConversions) || contact.PositiveEngagement)
        {
            supported = QualificationStatus.Lead;
            cause = StageCause.Lead;
        }

        var mqlTest = MeetsMqlTest(contact.Fit, contact.Engagement);
        if (mqlTest)
        {
            supported = QualificationStatus.Mql;
            cause = StageCause.Mql;
        }

        var leadStatus = values[_leadStatusSlot].AsSpan().Trim();
        if (contact.Fit >= _sqlMinFit && contact.HandRaiser)
        {
            supported = QualificationStatus.Sql;
            cause = StageCause.HandRaiser;
        }
        else if (!leadStatus.IsEmpty && _sqlLeadStatuses.ContainsKey(leadStatus) && (mqlTest || current >= QualificationStatus.Mql))
        {
            supported = QualificationStatus.Sql;
            cause = StageCause.SalesConnected;
        }

        var deals = Math.Max(contact.AssociatedDeals ?? 0, Count(values[_dealsSlot]));
        if (deals >= _minDeals)
        {
            supported = QualificationStatus.Opportunity;
            cause = StageCause.Deal;
        }
        else if ((supported >= QualificationStatus.Sql || current >= QualificationStatus.Sql)
            && HubSpotValues.TryParseNumber(values[_budgetSlot], out var budget) && budget >= _minBudget
            && HubSpotValues.TryParseNumber(values[_timelineSlot], out var timeline) && timeline >= 0 && timeline <= _maxTimeline)
        {
            supported = QualificationStatus.Opportunity;
            cause = StageCause.Budget;
        }

        return supported;
    }

    /// <summary>
    /// The day an MQL that no longer meets the MQL test fell below it, when no day is stored yet: when the drop is the
    /// engagement decaying, the day it crossed the threshold follows from the half-life (stable across evaluations);
    /// otherwise it is today.
    /// </summary>
    public DateOnly EstimateBelowMqlSince(in ScoredContact contact, double halfLife, DateTimeOffset now)
    {
        if (contact.Fit >= _mqlMinFit && halfLife > 0 && contact.LastEngagement is { } last && contact.EngagementRaw > 0 && _mqlMinEngagement > 0)
        {
            var threshold = _mqlMinEngagement - 0.5;
            var days = contact.EngagementRaw <= threshold ? 0 : halfLife * Math.Log2(contact.EngagementRaw / threshold);
            var crossed = last.AddDays(days);
            return DateOnly.FromDateTime((crossed < now ? crossed : now).UtcDateTime);
        }

        return DateOnly.FromDateTime(now.UtcDateTime);
    }

    private bool MeetsMqlTest(int fit, int engagement) => fit >= _mqlMinFit && engagement >= _mqlMinEngagement;

    /// <summary>A count property's value: its number clamped to 0..int.MaxValue, 0 when empty or not a number.</summary>
    private static int Count(string? value) => HubSpotValues.TryParseNumber(value, out var number) ? (int)Math.Clamp(number, 0, int.MaxValue) : 0;
}

/// <summary>What the stage tests read of a scored contact.</summary>
/// <param name="Fit">Fit score, capped.</param>
/// <param name="Engagement">Engagement score, decayed and capped.</param>
/// <param name="EngagementRaw">Engagement points before decay and cap.</param>
/// <param name="PositiveEngagement">Whether an engagement rule gave points.</param>
/// <param name="HandRaiser">Whether a conversion name has a hand-raiser keyword.</param>
/// <param name="ConversionNames">How many conversion names the contact has.</param>
/// <param name="AssociatedDeals">Deals from the associations, when read.</param>
/// <param name="LastEngagement">The latest date among the last-engagement properties.</param>
internal readonly record struct ScoredContact(
    int Fit,
    int Engagement,
    int EngagementRaw,
    bool PositiveEngagement,
    bool HandRaiser,
    int ConversionNames,
    int? AssociatedDeals,
    DateTimeOffset? LastEngagement);
