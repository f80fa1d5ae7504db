using System.Globalization;
using System.Runtime.CompilerServices;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Builds a decision's reason ("MQL (fit and engagement meet the MQL test): fit 75 (senior title +25, ...), engagement 24
/// (...)") and its fired-rule list from the facts the evaluation kept. Every fixed piece is built at compile time, so a
/// reason is a few appends of ready-made strings.
/// </summary>
internal sealed class ReasonText
{
    private static readonly int CauseCount = Enum.GetValues<StageCause>().Length;

    private readonly CompiledRule[] _rules;

    // The start of every reason ("MQL (fit and engagement meet the MQL test): fit "), one per status and cause.
    private readonly string[] _headers;

    // The start of the reason of a contact a disqualifier or an advocacy signal placed (null for the score sets' rules).
    private readonly string?[] _ruleHeaders;

    public ReasonText(CompiledRule[] rules, RuleRanges ranges)
    {
        _rules = rules;
        var statuses = Enum.GetValues<QualificationStatus>();
        _headers = new string[statuses.Length * CauseCount];
        foreach (var status in statuses)
        {
            foreach (var cause in Enum.GetValues<StageCause>())
            {
                var text = cause.ToText();
                _headers[HeaderIndex(status, cause)] = text.Length > 0 ? $"{status.ToLabel()} ({text}): fit " : $"{status.ToLabel()}: fit ";
            }
        }

        _ruleHeaders = new string?[rules.Length];
        for (var i = ranges.EngagementEnd; i < rules.Length; i++)
        {
            _ruleHeaders[i] = RuleHeader(ranges.IsDisqualifier(i) ? QualificationStatus.Disqualified : QualificationStatus.Evangelist, rules[i]);
        }
    }

    /// <summary>The reason of a decision (<see cref="QualificationDecision.Reason"/>).</summary>
    [SkipLocalsInit]
    public string Build(in ReasonFacts facts, ReadOnlySpan<FiredEntry> fired)
    {
        var writer = new ReasonWriter(stackalloc char[512]);
        try
        {
            Write(ref writer, in facts, fired);
            return writer.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The fired rules of a decision (<see cref="QualificationDecision.FiredRules"/>).</summary>
    public IReadOnlyList<FiredRule> FiredRules(ReadOnlySpan<FiredEntry> fired)
    {
        if (fired.IsEmpty)
        {
            return [];
        }

        var rules = new FiredRule[fired.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            rules[i] = new FiredRule(_rules[fired[i].Rule].Id, fired[i].Points);
        }

        return rules;
    }

    /// <summary>Writes the reason to <paramref name="writer"/> (compared in place by the write-back diff, built by <see cref="Build"/>).</summary>
    public void Write(ref ReasonWriter writer, in ReasonFacts facts, ReadOnlySpan<FiredEntry> fired)
    {
        // "<status> (<why>): fit ", built at compile time except for the recycle date.
        var status = facts.Status;
        if (facts.DisqualifiedBy >= 0 && status == QualificationStatus.Disqualified)
        {
            writer.Append(_ruleHeaders[facts.DisqualifiedBy]);
        }
        else if (facts.AdvocacyRule >= 0 && status == QualificationStatus.Evangelist)
        {
            writer.Append(_ruleHeaders[facts.AdvocacyRule]);
        }
        else if (status == QualificationStatus.Recycled && facts.BelowSince is { } since)
        {
            writer.Append(status.ToLabel());
            writer.Append(" (below the MQL test since ");
            writer.AppendDate(since);
            writer.Append("): fit ");
        }
        else
        {
            writer.Append(_headers[HeaderIndex(status, facts.Cause)]);
        }

        writer.Append(facts.Fit);
        AppendRules(ref writer, fired[..facts.FitFired]);
        writer.Append(", engagement ");
        writer.Append(facts.Engagement);
        if (facts.EngagementRaw > 0 && facts.EngagementRaw != facts.Engagement)
        {
            writer.Append(" of ");
            writer.Append(facts.EngagementRaw);
            writer.Append(" before decay");
        }

        AppendRules(ref writer, fired[facts.FitFired..facts.ScoredFired]);
    }

    /// <summary>The rules of one score set that fired, in brackets: " (senior title +25, 6 visits +16)".</summary>
    private void AppendRules(ref ReasonWriter writer, ReadOnlySpan<FiredEntry> fired)
    {
        for (var i = 0; i < fired.Length; i++)
        {
            var (index, points, value) = fired[i];
            var rule = _rules[index];
            var first = i == 0;
            if (rule.Fragment is not null && rule.FragmentPoints == points)
            {
                writer.Append(first ? rule.FirstFragment : rule.NextFragment);
                continue;
            }

            writer.Append(first ? rule.FirstLabelPrefix : rule.NextLabelPrefix);
            if (rule.LabelHasValue)
            {
                writer.Append(value);
                writer.Append(rule.LabelSuffixAndSpace);
            }
            else
            {
                writer.Append(' ');
            }

            writer.AppendSigned(points);
        }

        if (!fired.IsEmpty)
        {
            writer.Append(')');
        }
    }

    private static int HeaderIndex(QualificationStatus status, StageCause cause) => ((int)status * CauseCount) + (int)cause;

    /// <summary>"Disqualified (competitor domain): fit " for a disqualifier, "Evangelist (referral): fit " for an advocacy signal.</summary>
    private static string RuleHeader(QualificationStatus status, CompiledRule rule) =>
        string.Create(CultureInfo.InvariantCulture, $"{status.ToLabel()} ({rule.LabelPrefix}{(rule.LabelHasValue ? "0" + rule.LabelSuffix : string.Empty)}): fit ");
}
