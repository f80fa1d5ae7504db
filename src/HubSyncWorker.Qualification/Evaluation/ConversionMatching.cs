using System.Text.RegularExpressions;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// One matcher for every conversion keyword: each conversion name is scanned once per evaluation, giving a bit mask (one
/// bit per Conversion rule, one for the hand-raiser keywords, and, when they fit, one per offer bucket).
/// </summary>
internal sealed class ConversionMatching
{
    private readonly KeywordMatcher _matcher;
    private readonly (int Bit, Regex Pattern)[] _patterns;
    private readonly ulong _handRaiserMask;

    /// <summary>Sets <see cref="CompiledRule.ConversionBit"/> of every Conversion rule of the score sets.</summary>
    public ConversionMatching(CompiledRule[] rules, RuleRanges ranges, IEnumerable<string> handRaiserKeywords, IReadOnlyList<OfferBucketOptions> offers)
    {
        var groups = new List<IEnumerable<string>>();
        var patterns = new List<(int, Regex)>();
        for (var i = 0; i < ranges.EngagementEnd; i++)
        {
            if (rules[i].Kind != RuleKind.Conversion)
            {
                continue;
            }

            var bit = groups.Count;
            rules[i].ConversionBit = bit;
            groups.Add(rules[i].Keywords);
            if (rules[i].Pattern is { } pattern)
            {
                patterns.Add((bit, pattern));
            }

            if (ranges.IsFit(i))
            {
                FitMask |= 1UL << bit;
            }
            else
            {
                EngagementMask |= 1UL << bit;
            }
        }

        _handRaiserMask = 1UL << groups.Count;
        groups.Add(handRaiserKeywords);

        // The offer buckets ride along in the same masks when they fit, so the converting offer (usually the first
        // conversion) costs no second scan.
        if (groups.Count + offers.Count <= 64)
        {
            OfferShift = groups.Count;
            groups.AddRange(offers.Select(o => (IEnumerable<string>)o.Keywords));
        }

        _matcher = new KeywordMatcher(groups);
        _patterns = [.. patterns];
    }

    /// <summary>The bits of the fit set's Conversion rules.</summary>
    public ulong FitMask { get; }

    /// <summary>The bits of the engagement set's Conversion rules.</summary>
    public ulong EngagementMask { get; }

    /// <summary>The bit of the first offer bucket (then one per bucket, in policy order), or -1 when they did not fit in the masks.</summary>
    public int OfferShift { get; } = -1;

    /// <summary>Writes each name's mask to <paramref name="masks"/>; true when any name has a hand-raiser keyword.</summary>
    public bool Match(IReadOnlyList<string> names, Span<ulong> masks)
    {
        var handRaiser = false;
        for (var i = 0; i < masks.Length; i++)
        {
            var name = names[i] ?? string.Empty;
            var mask = _matcher.Match(name);
            foreach (var (bit, pattern) in _patterns)
            {
                if (pattern.IsMatch(name))
                {
                    mask |= 1UL << bit;
                }
            }

            masks[i] = mask;
            handRaiser |= (mask & _handRaiserMask) != 0;
        }

        return handRaiser;
    }

    /// <summary>How many of the names have a bit of <paramref name="bits"/>.</summary>
    public static int CountMatches(ReadOnlySpan<ulong> masks, ulong bits)
    {
        var count = 0;
        foreach (var mask in masks)
        {
            if ((mask & bits) != 0)
            {
                count++;
            }
        }

        return count;
    }
}
