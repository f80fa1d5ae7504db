namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// One slot per property the policy reads: a contact's values are gathered into a span once per evaluation, so each rule
/// reads an array element instead of hashing a property name.
/// </summary>
internal sealed class PropertySlots
{
    private readonly string[] _names;
    private readonly StringTable<int> _slotOf;

    /// <param name="names">Every property the policy reads, each once; a slot is its index in ordinal order.</param>
    public PropertySlots(IEnumerable<string> names)
    {
        _names = [.. new SortedSet<string>(names, StringComparer.Ordinal)];
        _slotOf = new StringTable<int>(_names.Select((name, slot) => KeyValuePair.Create(name, slot)), ignoreCase: false);
    }

    /// <summary>The property names, in slot order (sorted ordinally).</summary>
    public IReadOnlyList<string> Names => _names;

    public int Count => _names.Length;

    /// <summary>The slot of <paramref name="name"/> (compile time: every name was given to the constructor).</summary>
    public int SlotOf(string name) =>
        _slotOf.TryGetValue(name, out var slot) ? slot : throw new ArgumentException($"'{name}' has no slot.", nameof(name));

    /// <summary>Copies the contact's value of every slot into <paramref name="values"/> (null where it has none).</summary>
    public void Gather(IReadOnlyDictionary<string, string?> properties, Span<string?> values)
    {
        // Walk the contact's properties when it has no more than the policy reads (the usual case: the host requests
        // RequiredProperties); otherwise look each slot up.
        if (properties is Dictionary<string, string?> dictionary && dictionary.Count <= values.Length)
        {
            foreach (var (name, value) in dictionary)
            {
                // HubSpot answers every requested property, most of them null: a null needs no slot (they start null).
                if (value is not null && _slotOf.TryGetValue(name, out var slot))
                {
                    values[slot] = value;
                }
            }

            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = properties.TryGetValue(_names[i], out var value) ? value : null;
        }
    }
}

/// <summary>Stack storage for a contact's values, one per property the policy reads (no allocation up to <see cref="Capacity"/>).</summary>
[System.Runtime.CompilerServices.InlineArray(Capacity)]
internal struct PropertyValues
{
    public const int Capacity = 64;

    private string? _element;
}
