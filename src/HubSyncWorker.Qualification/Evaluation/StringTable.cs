namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// A read-only map from strings known at compile time (property names, value lists, domains, sources) to values, looked up
/// by span, ordinal or ordinal ignoring case. Built once at compile time; lookups allocate nothing.
/// </summary>
/// <remarks>
/// Evaluating a contact makes a few dozen lookups (every property the contact has, industry and country lists, domains,
/// the source), so they must be cheap. The keys are known when the policy is compiled, so the hash reads only five things
/// (the length and the last, quarter, middle and three-quarter characters), and a multiplier is chosen then under which no
/// two keys share a home cell of a table four times larger than the set: a lookup compares at most one key in the usual
/// case, where a general dictionary hashes the whole key (property names share long prefixes such as
/// <c>hs_analytics_</c>, so no short substring told them apart). Any multiplier gives correct results (keys that share a
/// cell fall back to linear probing); the search only makes lookups cheaper.
/// </remarks>
internal sealed class StringTable<TValue>
{
    private const int MaxMultipliersTried = 4096;

    private readonly string?[] _keys;
    private readonly AsciiKey?[] _asciiKeys;
    private readonly TValue[] _values;
    private readonly bool _ignoreCase;
    private readonly ulong _multiplier;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>The keys should be distinct under the comparison; of duplicates, the first is kept.</summary>
    public StringTable(IEnumerable<KeyValuePair<string, TValue>> entries, bool ignoreCase)
    {
        var list = entries.ToList();
        _ignoreCase = ignoreCase;
        var bits = 2;
        while ((1 << bits) < list.Count * 4)
        {
            bits++;
        }

        _shift = 32 - bits;
        _mask = (1 << bits) - 1;
        _keys = new string?[1 << bits];
        _asciiKeys = new AsciiKey?[1 << bits];
        _values = new TValue[1 << bits];

        // Deterministic search (the same policy always compiles to the same table): odd multipliers from a fixed sequence.
        var best = 0UL;
        var bestCollisions = int.MaxValue;
        var occupied = new bool[1 << bits];
        var multiplier = 0x9E3779B97F4A7C15UL;
        for (var attempt = 0; attempt < MaxMultipliersTried && bestCollisions > 0; attempt++)
        {
            Array.Clear(occupied);
            var collisions = 0;
            foreach (var (key, _) in list)
            {
                var home = (int)(Hash(key, ignoreCase, multiplier) >> _shift);
                collisions += occupied[home] ? 1 : 0;
                occupied[home] = true;
            }

            if (collisions < bestCollisions)
            {
                bestCollisions = collisions;
                best = multiplier;
            }

            multiplier = ((multiplier * 0x5851F42D4C957F2DUL) + 0x14057B7EF767814FUL) | 1UL;
        }

        _multiplier = best;
        foreach (var (key, value) in list)
        {
            if (TryGetValue(key, out _))
            {
                continue;
            }

            var cell = (int)(Hash(key, ignoreCase, _multiplier) >> _shift);
            while (_keys[cell] is not null)
            {
                cell = (cell + 1) & _mask;
            }

            _keys[cell] = key;
            _asciiKeys[cell] = ignoreCase ? AsciiKey.TryCreate(key) : null;
            _values[cell] = value;
        }
    }

    /// <summary>Whether <paramref name="key"/> is in the table.</summary>
    public bool ContainsKey(ReadOnlySpan<char> key) => TryGetValue(key, out _);

    /// <summary>The value of <paramref name="key"/>, if it is in the table.</summary>
    public bool TryGetValue(ReadOnlySpan<char> key, out TValue value)
    {
        // Two loops rather than one with the comparison chosen per key: the ordinal one (property names, dozens of lookups
        // per contact) then hashes and compares without testing the mode on every character.
        if (!_ignoreCase)
        {
            var cell = (int)(Hash(key, ignoreCase: false, _multiplier) >> _shift);
            while (_keys[cell] is { } candidate)
            {
                if (key.SequenceEqual(candidate))
                {
                    value = _values[cell];
                    return true;
                }

                cell = (cell + 1) & _mask;
            }
        }
        else
        {
            var cell = (int)(Hash(key, ignoreCase: true, _multiplier) >> _shift);
            while (_keys[cell] is { } candidate)
            {
                if (_asciiKeys[cell] is { } ascii ? ascii.EqualsIgnoreCase(key) : key.Equals(candidate, StringComparison.OrdinalIgnoreCase))
                {
                    value = _values[cell];
                    return true;
                }

                cell = (cell + 1) & _mask;
            }
        }

        value = default!;
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<char> key, bool ignoreCase, ulong multiplier)
    {
        // The five features packed into one word (the quarter character overlapping the others' bits) and mixed by one
        // multiply: the loads are independent, so a lookup waits for one multiply rather than a chain of four.
        var length = key.Length;
        if (length == 0)
        {
            return 0;
        }

        ref var start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(key);
        var x = (ulong)(uint)length
            ^ ((ulong)Fold(System.Runtime.CompilerServices.Unsafe.Add(ref start, length >> 2), ignoreCase) << 8)
            ^ ((ulong)Fold(System.Runtime.CompilerServices.Unsafe.Add(ref start, length - 1), ignoreCase) << 16)
            ^ ((ulong)Fold(System.Runtime.CompilerServices.Unsafe.Add(ref start, length >> 1), ignoreCase) << 32)
            ^ ((ulong)Fold(System.Runtime.CompilerServices.Unsafe.Add(ref start, (length * 3) >> 2), ignoreCase) << 48);
        return (uint)((x * multiplier) >> 32);
    }

    // Ignoring case, keys that are equal must hash alike. Ordinal case-insensitive equality never pairs an ASCII character
    // with a non-ASCII one, and equal strings have equal lengths: so an ASCII letter counts in lower case and every
    // non-ASCII character counts the same (their case folding, surrogate pairs included, is left to the comparison).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Fold(char c, bool ignoreCase) =>
        !ignoreCase ? c : c >= 0x80 ? 0xFFFFu : char.IsAsciiLetterUpper(c) ? (uint)(c | 0x20) : c;
}
