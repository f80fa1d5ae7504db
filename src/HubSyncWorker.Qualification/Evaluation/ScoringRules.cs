using System.Numerics;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Runs the policy's rules on a contact's gathered values: the two score sets (fit, engagement) and the signals whose points
/// are ignored (disqualifiers, advocacy signals). Every rule that fires is recorded, in policy order, for the reason.
/// </summary>
internal sealed class ScoringRules
{
    private readonly CompiledRule[] _rules;
    private readonly RuleRanges _ranges;
    private readonly ulong _fitConversionMask;
    private readonly ulong _engagementConversionMask;
    private readonly PropertyMatch[] _propertyMatches;

    /// <param name="rules">In the order of <see cref="RuleRanges.Order"/>, their slots resolved.</param>
    /// <param name="ranges">Where each list sits in <paramref name="rules"/>.</param>
    /// <param name="conversions">The conversion matching the Conversion rules' bits belong to.</param>
    public ScoringRules(CompiledRule[] rules, RuleRanges ranges, ConversionMatching conversions)
    {
        _rules = rules;
        _ranges = ranges;
        _fitConversionMask = conversions.FitMask;
        _engagementConversionMask = conversions.EngagementMask;
        _propertyMatches = BuildPropertyMatches(rules);
    }

    public int Count => _rules.Length;

    /// <summary>Runs the fit rules; returns their points before the cap.</summary>
    public int ScoreFit(in RuleInputs inputs, Span<bool> ruleFired, Span<FiredEntry> firedRules, ref int fired) =>
        ScoreSet(in inputs, 0, _ranges.FitEnd, _fitConversionMask, ruleFired, firedRules, ref fired, out _);

    /// <summary>Runs the engagement rules; returns their points before decay and cap, and whether any gave points.</summary>
    public int ScoreEngagement(in RuleInputs inputs, Span<bool> ruleFired, Span<FiredEntry> firedRules, ref int fired, out bool positive) =>
        ScoreSet(in inputs, _ranges.FitEnd, _ranges.EngagementEnd, _engagementConversionMask, ruleFired, firedRules, ref fired, out positive);

    /// <summary>Records every disqualifier that fires; returns the first (its rule index), or -1.</summary>
    public int FireDisqualifiers(in RuleInputs inputs, Span<FiredEntry> firedRules, ref int fired) =>
        FireSignals(in inputs, _ranges.EngagementEnd, _ranges.DisqualifierEnd, firedRules, ref fired);

    /// <summary>Records every advocacy signal that fires; returns the first (its rule index), or -1.</summary>
    public int FireAdvocacySignals(in RuleInputs inputs, Span<FiredEntry> firedRules, ref int fired) =>
        FireSignals(in inputs, _ranges.DisqualifierEnd, _ranges.Count, firedRules, ref fired);

    /// <summary>
    /// Sets <paramref name="textMatched"/>[rule] for every Contains and EmailDomain rule whose keywords or domains occur in its
    /// property: each such property is trimmed and scanned once, whatever the number of rules reading it (the job title for
    /// senior and student titles, the email for business email and competitor).
    /// </summary>
    public void MatchProperties(ReadOnlySpan<string?> values, Span<bool> textMatched)
    {
        textMatched.Clear();
        foreach (var match in _propertyMatches)
        {
            var text = values[match.Slot].AsSpan().Trim();
            if (text.IsEmpty)
            {
                continue;
            }

            var mask = match.Keywords is { } keywords ? keywords.Match(text) : match.Domains!.Match(text);
            while (mask != 0)
            {
                textMatched[match.Rules[BitOperations.TrailingZeroCount(mask)]] = true;
                mask &= mask - 1;
            }
        }
    }

    private int ScoreSet(
        in RuleInputs inputs,
        int start,
        int end,
        ulong setMask,
        Span<bool> ruleFired,
        Span<FiredEntry> firedRules,
        ref int fired,
        out bool positive)
    {
        var total = 0;
        var matched = -1;
        positive = false;

        // Copied out of the inputs so that the loop keeps them in registers.
        var values = inputs.Values;
        var masks = inputs.Masks;
        var textMatched = inputs.TextMatched;
        var now = inputs.Now;
        for (var i = start; i < end; i++)
        {
            var rule = _rules[i];
            if (rule.RequiredSlot >= 0 && values[rule.RequiredSlot] is null)
            {
                continue;
            }

            int points;
            var value = 0;
            bool hit;
            // The common kinds are called directly (fewer arguments than the general TryScore).
            if (rule.Kind is RuleKind.EqualsValue or RuleKind.In or RuleKind.Contains or RuleKind.EmailDomain)
            {
                hit = rule.TryScoreText(values, textMatched[i], out points);
            }
            else if (rule.Kind == RuleKind.Range)
            {
                hit = rule.TryScoreRange(values, out points, out value);
            }
            else if (rule.Kind == RuleKind.AllOf)
            {
                hit = rule.TryScoreAllOf(ruleFired, out points);
            }
            else if (rule.Kind == RuleKind.Conversion)
            {
                hit = rule.ScoreConversions(ConversionMatching.CountMatches(masks, 1UL << rule.ConversionBit), out points, out value);
            }
            else
            {
                if (rule.Kind == RuleKind.OtherConversions && matched < 0)
                {
                    // Conversion names matched by any Conversion rule of the same set (whether or not its cap was reached).
                    matched = ConversionMatching.CountMatches(masks, setMask);
                }

                hit = rule.TryScore(values, masks.Length, now, Math.Max(matched, 0), textMatched[i], out points, out value);
            }

            if (hit)
            {
                ruleFired[i] = true;
                total += points;
                positive |= points > 0;
                firedRules[fired++] = new FiredEntry(i, points, value);
            }
        }

        return total;
    }

    private int FireSignals(in RuleInputs inputs, int start, int end, Span<FiredEntry> firedRules, ref int fired)
    {
        var first = -1;
        for (var i = start; i < end; i++)
        {
            if (Fires(in inputs, i))
            {
                first = first < 0 ? i : first;
                firedRules[fired++] = new FiredEntry(i, 0, 0);
            }
        }

        return first;
    }

    /// <summary>Whether rule <paramref name="index"/> fires (its points are ignored), dispatched as in <see cref="ScoreSet"/>.</summary>
    private bool Fires(in RuleInputs inputs, int index)
    {
        var rule = _rules[index];
        var values = inputs.Values;
        if (rule.RequiredSlot >= 0 && values[rule.RequiredSlot] is null)
        {
            return false;
        }

        var textMatched = inputs.TextMatched[index];
        return rule.Kind switch
        {
            RuleKind.EqualsValue or RuleKind.In or RuleKind.Contains or RuleKind.EmailDomain => rule.TryScoreText(values, textMatched, out _),
            RuleKind.Range => rule.TryScoreRange(values, out _, out _),
            _ => rule.TryScore(values, inputs.Masks.Length, inputs.Now, 0, textMatched, out _, out _),
        };
    }

    /// <summary>One matcher per property for its Contains rules and one for its EmailDomain rules (64 rules at most each; more make another).</summary>
    private static PropertyMatch[] BuildPropertyMatches(CompiledRule[] rules)
    {
        var matches = new List<PropertyMatch>();
        foreach (var kind in (ReadOnlySpan<RuleKind>)[RuleKind.Contains, RuleKind.EmailDomain])
        {
            var indexes = Enumerable.Range(0, rules.Length).Where(i => rules[i].Kind == kind);
            foreach (var bySlot in indexes.GroupBy(i => rules[i].Slot))
            {
                foreach (var chunk in bySlot.Chunk(64))
                {
                    IReadOnlyList<IEnumerable<string>> groups = [.. chunk.Select(i => kind == RuleKind.Contains ? rules[i].Keywords : rules[i].Domains)];
                    matches.Add(kind == RuleKind.Contains
                        ? new PropertyMatch(bySlot.Key, new KeywordMatcher(groups), null, chunk)
                        : new PropertyMatch(bySlot.Key, null, new DomainMatcher(groups), chunk));
                }
            }
        }

        return [.. matches];
    }
}

/// <summary>What every rule reads of one contact: its gathered values, its conversion names' masks (one per name) and which text rules matched.</summary>
internal readonly ref struct RuleInputs(ReadOnlySpan<string?> values, ReadOnlySpan<ulong> masks, ReadOnlySpan<bool> textMatched, DateTimeOffset now)
{
    public ReadOnlySpan<string?> Values { get; } = values;

    public ReadOnlySpan<ulong> Masks { get; } = masks;

    public ReadOnlySpan<bool> TextMatched { get; } = textMatched;

    public DateTimeOffset Now { get; } = now;
}

/// <summary>The Contains rules (<see cref="Keywords"/>) or EmailDomain rules (<see cref="Domains"/>) reading one property: bit i is rule <c>Rules[i]</c>.</summary>
internal sealed record PropertyMatch(int Slot, KeywordMatcher? Keywords, DomainMatcher? Domains, int[] Rules);
