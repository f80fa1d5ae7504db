namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Maps the names of the properties a policy reads to their value slots (ordinal, case-sensitive). Built once at compile time.
/// </summary>
/// <remarks>
/// Every evaluation looks up each property the contact has, so this lookup runs some 20–50 times per contact. The names
/// are known at compile time, so the hash reads only five things (the length and the last, quarter, middle and
/// three-quarter characters), and a multiplier is chosen then under which no two names share a home cell of a table four
/// times larger than the set: a lookup compares at most one name in the usual case, instead of hashing the whole name as a
/// general dictionary must (the names share long prefixes such as <c>hs_analytics_</c>, so no short substring told them
/// apart). Any multiplier gives correct results (names that share a cell fall back to linear probing); the search only
/// makes lookups cheaper.
/// </remarks>
internal sealed class PropertySlots
{
    private const int MaxSeedsTried = 4096;

    private readonly string?[] _names;
    private readonly int[] _slots;
    private readonly uint _multiplier;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Slot <c>i</c> is <paramref name="names"/>[i]; the names must be distinct.</summary>
    public PropertySlots(IReadOnlyList<string> names)
    {
        var bits = 2;
        while ((1 << bits) < names.Count * 4)
        {
            bits++;
        }

        _shift = 32 - bits;
        _mask = (1 << bits) - 1;
        _names = new string?[1 << bits];
        _slots = new int[1 << bits];

        // Deterministic search (the same policy always compiles to the same table): odd multipliers from a fixed sequence.
        var best = 0u;
        var bestCollisions = int.MaxValue;
        var occupied = new bool[1 << bits];
        var multiplier = 0x9E3779B1u;
        for (var attempt = 0; attempt < MaxSeedsTried && bestCollisions > 0; attempt++)
        {
            Array.Clear(occupied);
            var collisions = 0;
            foreach (var name in names)
            {
                var home = (int)(Hash(name, multiplier) >> _shift);
                collisions += occupied[home] ? 1 : 0;
                occupied[home] = true;
            }

            if (collisions < bestCollisions)
            {
                bestCollisions = collisions;
                best = multiplier;
            }

            multiplier = ((multiplier * 0x2C1B3C6Du) + 0x297A2D39u) | 1u;
        }

        _multiplier = best;
        for (var slot = 0; slot < names.Count; slot++)
        {
            var cell = (int)(Hash(names[slot], _multiplier) >> _shift);
            while (_names[cell] is not null)
            {
                cell = (cell + 1) & _mask;
            }

            _names[cell] = names[slot];
            _slots[cell] = slot;
        }
    }

    /// <summary>The slot of <paramref name="name"/>, or -1 when the policy does not read it.</summary>
    public int SlotOf(string name)
    {
        var cell = (int)(Hash(name, _multiplier) >> _shift);
        while (_names[cell] is { } candidate)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                return _slots[cell];
            }

            cell = (cell + 1) & _mask;
        }

        return -1;
    }

    private static uint Hash(string name, uint multiplier)
    {
        var length = name.Length;
        var h = (uint)length;
        if (length > 0)
        {
            h = (h * 31) + name[length - 1];
            h = (h * 31) + name[length >> 2];
            h = (h * 31) + name[length >> 1];
            h = (h * 31) + name[(length * 3) >> 2];
        }

        return h * multiplier;
    }
}
