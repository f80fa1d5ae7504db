using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Where a contact's lifecycle stage goes: what its data supports (<see cref="StageTests"/>), kept from going backwards
/// unless the policy allows it or the recycle window has passed, never moved off a stage the worker does not own, and
/// customers left as customers (evangelists on an advocacy signal).
/// </summary>
internal sealed class LifecycleStages
{
    private readonly string[] _portalValues;
    private readonly StringTable<QualificationStatus> _stageOf;
    private readonly bool _allowRegression;
    private readonly int _recycleWindowDays;
    private readonly int _lifecycleSlot;
    private readonly int _mqlDateSlot;
    private readonly int _belowSinceSlot;
    private readonly StageTests _tests;
    private readonly double _halfLife;

    public LifecycleStages(QualificationPolicyOptions options, OutputPropertyNames outputs, PropertySlots slots, StageTests tests, double halfLife)
    {
        var stages = Enum.GetValues<QualificationStatus>().Where(s => s <= QualificationStatus.Evangelist).ToArray();
        _portalValues = [.. stages.Select(stage => PortalValueOf(options.Lifecycle.Stages, stage))];
        _stageOf = new StringTable<QualificationStatus>(stages.Select(stage => KeyValuePair.Create(PortalValue(stage), stage)), ignoreCase: false);
        _allowRegression = options.Lifecycle.AllowRegression;
        _recycleWindowDays = options.Recycle.WindowDays;
        _lifecycleSlot = slots.SlotOf(options.Lifecycle.Property);
        _mqlDateSlot = slots.SlotOf(outputs.MqlDate);
        _belowSinceSlot = slots.SlotOf(outputs.BelowThresholdSince);
        _tests = tests;
        _halfLife = halfLife;
    }

    /// <summary>The stage HubSpot holds: null when empty, or when it is one the worker does not own (then <see cref="CurrentStage.Locked"/>).</summary>
    public CurrentStage Current(ReadOnlySpan<string?> values)
    {
        var value = values[_lifecycleSlot];
        if (string.IsNullOrEmpty(value))
        {
            return default;
        }

        // A stage the worker does not own ("other", or one not in the order) is never touched.
        return _stageOf.TryGetValue(value, out var stage) ? new CurrentStage(stage, Locked: false) : new CurrentStage(null, Locked: true);
    }

    /// <summary>The contact's status, the stage to write and why.</summary>
    /// <param name="values">The contact's gathered values.</param>
    /// <param name="contact">Its scores.</param>
    /// <param name="current">The stage HubSpot holds (<see cref="Current"/>).</param>
    /// <param name="disqualified">Whether a disqualifier fired (customers stay customers all the same).</param>
    /// <param name="advocacy">Whether an advocacy signal fired (only customers are checked).</param>
    /// <param name="now">The evaluation time.</param>
    public StageOutcome Decide(ReadOnlySpan<string?> values, in ScoredContact contact, CurrentStage current, bool disqualified, bool advocacy, DateTimeOffset now)
    {
        var existingMqlDate = HubSpotValues.ParseDate(values[_mqlDateSlot]);
        StageOutcome outcome;
        if (current.IsCustomer)
        {
            outcome = Customer(current.Stage!.Value, advocacy);
        }
        else if (disqualified)
        {
            outcome = new StageOutcome(QualificationStatus.Disqualified, StageCause.None);
        }
        else
        {
            outcome = Qualify(values, in contact, current, existingMqlDate, now);
        }

        // Kept once set; set the first day the contact is an MQL or later.
        return outcome with
        {
            MqlDate = existingMqlDate
                ?? (outcome.Status is QualificationStatus.Mql or QualificationStatus.Sql or QualificationStatus.Opportunity ? DateOnly.FromDateTime(now.UtcDateTime) : null),
        };
    }

    private StageOutcome Customer(QualificationStatus current, bool advocacy)
    {
        if (current == QualificationStatus.Customer && advocacy)
        {
            return new StageOutcome(QualificationStatus.Evangelist, StageCause.Advocacy, PortalValue(QualificationStatus.Evangelist));
        }

        return new StageOutcome(current == QualificationStatus.Evangelist ? QualificationStatus.Evangelist : QualificationStatus.Customer, StageCause.InHubSpot);
    }

    private StageOutcome Qualify(ReadOnlySpan<string?> values, in ScoredContact contact, CurrentStage current, DateOnly? existingMqlDate, DateTimeOffset now)
    {
        var supported = _tests.Supported(values, in contact, current.Stage, out var cause);
        var wasMql = current.Stage >= QualificationStatus.Mql || existingMqlDate is not null;
        var belowThreshold = wasMql && supported < QualificationStatus.Mql;
        DateOnly? belowSince = null;
        var recycled = false;
        if (belowThreshold)
        {
            belowSince = HubSpotValues.ParseDate(values[_belowSinceSlot]) ?? _tests.EstimateBelowMqlSince(in contact, _halfLife, now);
            recycled = DateOnly.FromDateTime(now.UtcDateTime).DayNumber - belowSince.Value.DayNumber >= _recycleWindowDays;
        }

        QualificationStatus status;
        QualificationStatus effective;
        if (recycled)
        {
            status = QualificationStatus.Recycled;

            // An empty stage (a crash between the clear and the set of this very regression leaves one) gets the recycled stage:
            // keeping "the current level" there would keep the stage empty for good.
            effective = current.Stage is not { } stage || (_allowRegression && stage > QualificationStatus.Lead) ? QualificationStatus.Lead : stage;
            cause = StageCause.None;
        }
        else
        {
            effective = (_allowRegression && !belowThreshold) || current.Stage is not { } stage || stage < supported ? supported : stage;
            if (effective > supported)
            {
                cause = StageCause.InHubSpot;
            }

            status = effective;
        }

        if (current.Locked || effective == current.Stage)
        {
            return new StageOutcome(status, cause, BelowSince: belowSince);
        }

        return new StageOutcome(status, cause, PortalValue(effective), Regression: effective < current.Stage, BelowSince: belowSince);
    }

    /// <summary>The portal's value of a worker stage (<see cref="QualificationStatus.Contact"/> to <see cref="QualificationStatus.Evangelist"/>).</summary>
    private string PortalValue(QualificationStatus stage) => _portalValues[(int)stage];

    private static string PortalValueOf(StageValuesOptions stages, QualificationStatus stage) => stage switch
    {
        QualificationStatus.Contact => stages.Contact,
        QualificationStatus.Lead => stages.Lead,
        QualificationStatus.Mql => stages.Mql,
        QualificationStatus.Sql => stages.Sql,
        QualificationStatus.Opportunity => stages.Opportunity,
        QualificationStatus.Customer => stages.Customer,
        QualificationStatus.Evangelist => stages.Evangelist,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "not a lifecycle stage"),
    };
}

/// <summary>The lifecycle stage HubSpot holds.</summary>
/// <param name="Stage">The worker stage it is; null when empty or not one the worker owns.</param>
/// <param name="Locked">A stage the worker does not own: never changed.</param>
internal readonly record struct CurrentStage(QualificationStatus? Stage, bool Locked)
{
    /// <summary>A customer or evangelist: the worker leaves them so (an advocacy signal makes a customer an evangelist).</summary>
    public bool IsCustomer => Stage >= QualificationStatus.Customer;
}

/// <summary>Where the lifecycle puts a contact.</summary>
/// <param name="Status">The worker's status.</param>
/// <param name="Cause">Why (for the reason).</param>
/// <param name="Target">The portal stage value to write, or null for no change.</param>
/// <param name="Regression">The target is earlier than the current stage (clear it first).</param>
/// <param name="BelowSince">The day an MQL fell below the MQL test, while it is below.</param>
/// <param name="MqlDate">The day the contact first became an MQL.</param>
internal readonly record struct StageOutcome(
    QualificationStatus Status,
    StageCause Cause,
    string? Target = null,
    bool Regression = false,
    DateOnly? BelowSince = null,
    DateOnly? MqlDate = null);
