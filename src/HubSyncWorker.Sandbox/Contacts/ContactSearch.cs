using System.Globalization;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>One search filter, as posted.</summary>
internal sealed record SearchFilter(string PropertyName, string Operator, string? Value, string? HighValue, IReadOnlyList<string>? Values)
{
    // Filter values are read as numbers once per query, not once per contact.
    public double? ValueNumber { get; } = ContactSearch.ReadNumber(Value);

    public double? HighValueNumber { get; } = ContactSearch.ReadNumber(HighValue);

    public IReadOnlyList<double?>? ValueNumbers { get; } = Values?.Select(ContactSearch.ReadNumber).ToArray();
}

/// <summary>A contact's sort key, extracted once per search so the sort does no dictionary lookups.</summary>
internal readonly record struct SortKey(bool HasValue, double? Number, string? Text, long Id);

/// <summary>A validated search request.</summary>
internal sealed record SearchQuery(
    IReadOnlyList<IReadOnlyList<SearchFilter>> FilterGroups,
    string? SortProperty,
    bool Descending,
    int After,
    int Limit);

/// <summary>
/// Evaluates HubSpot search filters against a stored state. Comparisons are numeric when both sides read as numbers
/// (datetimes as epoch ms, whatever form the filter value takes), else case-insensitive text, like HubSpot's.
/// </summary>
internal static class ContactSearch
{
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal)
    {
        "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
    };

    public static bool Matches(ContactState state, IReadOnlyList<IReadOnlyList<SearchFilter>> groups)
    {
        if (groups.Count == 0)
        {
            return true;
        }

        foreach (var group in groups)
        {
            var all = true;
            foreach (var filter in group)
            {
                if (!Matches(state, filter))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    public static SortKey KeyOf(ContactState state, string property, long id) =>
        state.Values.TryGetValue(property, out var value) && value.Text.Length > 0
            ? new SortKey(true, value.Number, value.Text, id)
            : new SortKey(false, null, null, id);

    /// <summary>
    /// Puts the first <paramref name="top"/> keys of the sort order, sorted, at the start of <paramref name="keys"/>. A page only needs
    /// the first after + limit (at most 10,000) keys, so a bounded max-heap does it in about one comparison per contact when the data
    /// is already nearly in order (the usual lastmodifieddate sort), instead of sorting every match.
    /// </summary>
    public static void SortTop(Span<SortKey> keys, int top, bool descending)
    {
        if (top <= 0)
        {
            return;
        }

        if (top * 2 >= keys.Length)
        {
            keys.Sort((a, b) => CompareForSort(a, b, descending));
            return;
        }

        var heap = keys[..top];
        for (var i = (top / 2) - 1; i >= 0; i--)
        {
            SiftDown(heap, i, descending);
        }

        for (var i = top; i < keys.Length; i++)
        {
            if (CompareForSort(keys[i], heap[0], descending) < 0)
            {
                heap[0] = keys[i];
                SiftDown(heap, 0, descending);
            }
        }

        heap.Sort((a, b) => CompareForSort(a, b, descending));
    }

    // Max-heap on the sort order: the root is the last of the best keys seen so far.
    private static void SiftDown(Span<SortKey> heap, int index, bool descending)
    {
        while (true)
        {
            var largest = index;
            var left = (2 * index) + 1;
            var right = left + 1;
            if (left < heap.Length && CompareForSort(heap[left], heap[largest], descending) > 0)
            {
                largest = left;
            }

            if (right < heap.Length && CompareForSort(heap[right], heap[largest], descending) > 0)
            {
                largest = right;
            }

            if (largest == index)
            {
                return;
            }

            (heap[index], heap[largest]) = (heap[largest], heap[index]);
            index = largest;
        }
    }

    /// <summary>Orders by value (numbers numerically, text case-insensitively), contacts without a value last, then by id.</summary>
    public static int CompareForSort(in SortKey left, in SortKey right, bool descending)
    {
        int byValue;
        if (!left.HasValue || !right.HasValue)
        {
            // Contacts without a value sort last whichever the direction.
            byValue = (left.HasValue ? 0 : 1) - (right.HasValue ? 0 : 1);
            return byValue != 0 ? byValue : left.Id.CompareTo(right.Id);
        }

        byValue = left.Number is { } l && right.Number is { } r
            ? l.CompareTo(r)
            : string.Compare(left.Text, right.Text, StringComparison.OrdinalIgnoreCase);
        if (descending)
        {
            byValue = -byValue;
        }

        return byValue != 0 ? byValue : left.Id.CompareTo(right.Id);
    }

    private static bool Matches(ContactState state, SearchFilter filter)
    {
        var present = state.Values.TryGetValue(filter.PropertyName, out var stored) && stored.Text.Length > 0;
        switch (filter.Operator)
        {
            case "HAS_PROPERTY":
                return present;
            case "NOT_HAS_PROPERTY":
                return !present;
            case "NEQ":
                return !present || Compare(stored, filter.Value, filter.ValueNumber) != 0;
            case "NOT_IN":
                return !present || !InValues(stored, filter);
            case "NOT_CONTAINS_TOKEN":
                return !present || !ContainsToken(stored.Text, filter.Value ?? "");
        }

        if (!present)
        {
            return false;
        }

        return filter.Operator switch
        {
            "EQ" => Compare(stored, filter.Value, filter.ValueNumber) == 0,
            "LT" => Compare(stored, filter.Value, filter.ValueNumber) is < 0,
            "LTE" => Compare(stored, filter.Value, filter.ValueNumber) is <= 0,
            "GT" => Compare(stored, filter.Value, filter.ValueNumber) is > 0,
            "GTE" => Compare(stored, filter.Value, filter.ValueNumber) is >= 0,
            "BETWEEN" => Compare(stored, filter.Value, filter.ValueNumber) is >= 0 && Compare(stored, filter.HighValue, filter.HighValueNumber) is <= 0,
            "IN" => InValues(stored, filter),
            "CONTAINS_TOKEN" => ContainsToken(stored.Text, filter.Value ?? ""),
            _ => false,
        };
    }

    private static bool InValues(StoredValue stored, SearchFilter filter)
    {
        var values = filter.Values ?? [];
        for (var i = 0; i < values.Count; i++)
        {
            if (Compare(stored, values[i], filter.ValueNumbers![i]) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Numeric when both sides are numbers, else case-insensitive text; null when the filter value is missing (matches nothing).</summary>
    private static int? Compare(StoredValue stored, string? value, double? valueNumber)
    {
        if (value is null)
        {
            return null;
        }

        if (stored.Number is { } number && valueNumber is { } other)
        {
            return number.CompareTo(other);
        }

        return string.Compare(stored.Text, value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A filter value as a number: decimal text, or an ISO-8601 datetime read as epoch ms.</summary>
    internal static double? ReadNumber(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (value.Length >= 10 && char.IsAsciiDigit(value[0]) && value[4] == '-'
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUnixTimeMilliseconds();
        }

        return null;
    }

    /// <summary>
    /// HubSpot tokenises text on whitespace and punctuation; a token filter matches a whole token, or the whole value,
    /// and <c>*</c> is a wildcard (<c>*@example.com</c>).
    /// </summary>
    private static bool ContainsToken(string text, string token)
    {
        if (token.Length == 0)
        {
            return false;
        }

        if (Glob(text, token))
        {
            return true;
        }

        foreach (var part in text.Split([' ', '\t', '\n', ',', ';', '.', '@', '-', '_', '/', '(', ')', ':'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Glob(part, token))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Glob(string text, string pattern)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(text, pattern, StringComparison.OrdinalIgnoreCase);
        }

        var pieces = pattern.Split('*');
        var position = 0;
        for (var i = 0; i < pieces.Length; i++)
        {
            var piece = pieces[i];
            if (piece.Length == 0)
            {
                continue;
            }

            if (i == 0)
            {
                if (!text.StartsWith(piece, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                position = piece.Length;
                continue;
            }

            if (i == pieces.Length - 1)
            {
                return text.Length - position >= piece.Length && text.EndsWith(piece, StringComparison.OrdinalIgnoreCase);
            }

            var found = text.IndexOf(piece, position, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }

            position = found + piece.Length;
        }

        return true;
    }
}
