using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>The source bucket (<c>source:offer</c>): every source × offer string is built at compile time, so a contact's is a table read.</summary>
internal sealed class SourceBuckets
{
    private readonly int _sourceSlot;
    private readonly int _offerSlot;
    private readonly StringTable<int> _sourceIndex;
    private readonly int _otherSourceIndex;
    private readonly int _unknownSourceIndex;
    private readonly KeywordMatcher _offerMatcher;
    private readonly int _offerShift;
    private readonly int _otherOfferIndex;
    private readonly int _noOfferIndex;
    private readonly string[,] _buckets;

    public SourceBuckets(SourceBucketOptions bucket, PropertySlots slots, int offerShift)
    {
        _sourceSlot = slots.SlotOf(bucket.SourceProperty);
        _offerSlot = slots.SlotOf(bucket.OfferProperty);
        _offerShift = offerShift;
        var sourceNames = bucket.Sources.Values.Select(v => v.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        sourceNames.Add(bucket.OtherSource);
        sourceNames.Add(bucket.UnknownSource);
        _otherSourceIndex = sourceNames.Count - 2;
        _unknownSourceIndex = sourceNames.Count - 1;
        _sourceIndex = new StringTable<int>(
            bucket.Sources.ToDictionary(p => p.Key.Trim(), p => sourceNames.IndexOf(p.Value.Trim()), StringComparer.OrdinalIgnoreCase), ignoreCase: true);
        _offerMatcher = new KeywordMatcher([.. bucket.Offers.Select(o => (IEnumerable<string>)o.Keywords)]);
        var offerNames = bucket.Offers.Select(o => o.Bucket!.Trim()).ToList();
        offerNames.Add(bucket.OtherOffer);
        offerNames.Add(bucket.NoOffer);
        _otherOfferIndex = offerNames.Count - 2;
        _noOfferIndex = offerNames.Count - 1;
        _buckets = new string[sourceNames.Count, offerNames.Count];
        for (var s = 0; s < sourceNames.Count; s++)
        {
            for (var o = 0; o < offerNames.Count; o++)
            {
                _buckets[s, o] = sourceNames[s] + ":" + offerNames[o];
            }
        }
    }

    /// <summary>The contact's bucket; <paramref name="masks"/> are its conversion names' masks (<see cref="ConversionMatching"/>).</summary>
    public string Of(ReadOnlySpan<string?> values, IReadOnlyList<string> names, ReadOnlySpan<ulong> masks)
    {
        var source = values[_sourceSlot].AsSpan().Trim();
        var sourceIndex = source.IsEmpty ? _unknownSourceIndex : _sourceIndex.TryGetValue(source, out var index) ? index : _otherSourceIndex;

        var offer = values[_offerSlot];
        var offerIndex = _noOfferIndex;
        ulong mask;
        if (string.IsNullOrWhiteSpace(offer))
        {
            if (names.Count == 0)
            {
                return _buckets[sourceIndex, offerIndex];
            }

            // No first-conversion property: the oldest conversion in the history.
            mask = _offerShift >= 0 ? masks[0] >> _offerShift : _offerMatcher.Match(names[0]);
        }
        else if (_offerShift >= 0 && names.Count > 0 && string.Equals(offer, names[0], StringComparison.Ordinal))
        {
            mask = masks[0] >> _offerShift;
        }
        else
        {
            mask = _offerMatcher.Match(offer);
        }

        // The first offer bucket (in policy order) whose keywords occur.
        offerIndex = mask == 0 ? _otherOfferIndex : System.Numerics.BitOperations.TrailingZeroCount(mask);

        return _buckets[sourceIndex, offerIndex];
    }
}
