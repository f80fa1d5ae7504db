using System.Runtime.CompilerServices;
using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification;

/// <summary>
/// The write-back diff (<see cref="QualificationPolicy.ComputeChanges"/>): the properties whose value differs from what
/// HubSpot holds, numbers and dates compared normalised, so that writing the plan and evaluating again yields no changes.
/// </summary>
internal sealed class WriteBackDiff(OutputPropertyNames outputs, string lifecycleProperty, string leadStatusProperty, StageValuesOptions stages)
{
    // The portal's stage values at or past MQL and at or past SQL: a contact HubSpot already shows there was qualified before the
    // worker saw it, at a moment and with values the worker does not know, so nothing is recorded for it.
    private readonly HashSet<string> _mqlOrLater = new([stages.Mql, stages.Sql, stages.Opportunity, stages.Customer, stages.Evangelist], StringComparer.Ordinal);
    private readonly HashSet<string> _sqlOrLater = new([stages.Sql, stages.Opportunity, stages.Customer, stages.Evangelist], StringComparer.Ordinal);

    public WriteBackPlan ComputeChanges(ContactSnapshot current, QualificationDecision decision)
    {
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        SetNumber(changes, current, outputs.FitScore, decision.FitScore);
        SetNumber(changes, current, outputs.EngagementScore, decision.EngagementScore);
        SetNumber(changes, current, outputs.Score, decision.Score);
        SetText(changes, current, outputs.Status, decision.Status.ToPropertyValue());
        SetReason(changes, current, decision);
        SetText(changes, current, outputs.SourceBucket, decision.SourceBucket);
        SetText(changes, current, outputs.PolicyVersion, decision.PolicyVersion);
        if (decision.MqlDate is { } mqlDate)
        {
            // Never rewritten once set: only written when HubSpot holds no parsable date.
            if (HubSpotValues.ParseDate(current.Get(outputs.MqlDate)) is null)
            {
                changes[outputs.MqlDate] = HubSpotValues.FormatDate(mqlDate);
            }
        }

        SetDate(changes, current, outputs.BelowThresholdSince, decision.BelowThresholdSince);
        RecordQualification(changes, current, decision);

        var clearFirst = false;
        if (decision.TargetLifecycleStage is { } stage && !string.Equals(current.Get(lifecycleProperty), stage, StringComparison.Ordinal))
        {
            changes[lifecycleProperty] = stage;
            clearFirst = decision.RegressionRequired;
        }

        if (decision.LeadStatusToSet is { } leadStatus && !string.Equals(current.Get(leadStatusProperty)?.Trim(), leadStatus, StringComparison.Ordinal))
        {
            changes[leadStatusProperty] = leadStatus;
        }

        return new WriteBackPlan(current.Id, changes, clearFirst);
    }

    /// <summary>
    /// Records what the contact was qualified with when the worker itself moves it into MQL or SQL (<see cref="RecordedScores"/>), so
    /// the insights analysis reads the scores and rules of that moment rather than rebuilding them from history. Written once: the
    /// first qualification is the one the funnel measures (a recycled contact qualified again keeps its first record).
    /// </summary>
    private void RecordQualification(Dictionary<string, string> changes, ContactSnapshot current, QualificationDecision decision)
    {
        if (decision.TargetLifecycleStage is null || decision.RegressionRequired
            || decision.Status is not (QualificationStatus.Mql or QualificationStatus.Sql or QualificationStatus.Opportunity))
        {
            return;
        }

        var stage = current.Get(lifecycleProperty) ?? string.Empty;
        string? recorded = null;
        if (!_mqlOrLater.Contains(stage) && HubSpotValues.ParseDate(current.Get(outputs.MqlDate)) is null && string.IsNullOrEmpty(current.Get(outputs.ScoresAtMql)))
        {
            recorded = RecordedScores.Of(decision).Format();
            changes[outputs.ScoresAtMql] = recorded;
        }

        if (decision.Status is not QualificationStatus.Mql && !_sqlOrLater.Contains(stage) && string.IsNullOrEmpty(current.Get(outputs.ScoresAtSql)))
        {
            changes[outputs.ScoresAtSql] = recorded ?? RecordedScores.Of(decision).Format();
        }
    }

    /// <summary>
    /// Writes the reason when it differs from HubSpot's value. A reason not yet built is written into a stack buffer and
    /// compared there, so a contact whose reason HubSpot already holds (the usual resync) costs no string.
    /// </summary>
    [SkipLocalsInit]
    private void SetReason(Dictionary<string, string> changes, ContactSnapshot current, QualificationDecision decision)
    {
        if (decision.UnbuiltReason is not { } reasons)
        {
            SetText(changes, current, outputs.Reason, decision.Reason);
            return;
        }

        var existing = current.Get(outputs.Reason) ?? string.Empty;
        var writer = new ReasonWriter(stackalloc char[512]);
        try
        {
            reasons.Write(ref writer, in decision.Facts, decision.Fired);
            if (!writer.Written.SequenceEqual(existing))
            {
                var reason = writer.ToString();
                decision.KeepReason(reason);
                changes[outputs.Reason] = reason;
            }
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static void SetNumber(Dictionary<string, string> changes, ContactSnapshot current, string property, int value)
    {
        if (HubSpotValues.ParseNumber(current.Get(property)) is not { } existing || Math.Abs(existing - value) > 1e-9)
        {
            changes[property] = HubSpotValues.FormatInteger(value);
        }
    }

    private static void SetText(Dictionary<string, string> changes, ContactSnapshot current, string property, string value)
    {
        if (!string.Equals(current.Get(property) ?? string.Empty, value, StringComparison.Ordinal))
        {
            changes[property] = value;
        }
    }

    private static void SetDate(Dictionary<string, string> changes, ContactSnapshot current, string property, DateOnly? value)
    {
        var raw = current.Get(property);
        if (value is { } date)
        {
            if (HubSpotValues.ParseDate(raw) != date)
            {
                changes[property] = HubSpotValues.FormatDate(date);
            }
        }
        else if (!string.IsNullOrEmpty(raw))
        {
            changes[property] = string.Empty;
        }
    }
}
