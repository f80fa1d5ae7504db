using System.Globalization;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>One search filter, as posted.</summary>
internal sealed record SearchFilter(string PropertyName, string Operator, string? Value, string? HighValue, IReadOnlyList<string>? Values);

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

    public static int CompareForSort(StoredValue? left, StoredValue? right)
    {
        // Contacts without a value sort last ascending, as in HubSpot.
        if (left is null || right is null)
        {
            return (left is null ? 1 : 0) - (right is null ? 1 : 0);
        }

        if (left.Value.Number is { } l && right.Value.Number is { } r)
        {
            return l.CompareTo(r);
        }

        return string.Compare(left.Value.Text, right.Value.Text, StringComparison.OrdinalIgnoreCase);
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
                return !present || Compare(stored, filter.Value ?? "") != 0;
            case "NOT_IN":
                return !present || !(filter.Values ?? []).Any(v => Compare(stored, v) == 0);
            case "NOT_CONTAINS_TOKEN":
                return !present || !ContainsToken(stored.Text, filter.Value ?? "");
        }

        if (!present)
        {
            return false;
        }

        return filter.Operator switch
        {
            "EQ" => Compare(stored, filter.Value ?? "") == 0,
            "LT" => Ordered(stored, filter.Value) is < 0,
            "LTE" => Ordered(stored, filter.Value) is <= 0,
            "GT" => Ordered(stored, filter.Value) is > 0,
            "GTE" => Ordered(stored, filter.Value) is >= 0,
            "BETWEEN" => Ordered(stored, filter.Value) is >= 0 && Ordered(stored, filter.HighValue) is <= 0,
            "IN" => (filter.Values ?? []).Any(v => Compare(stored, v) == 0),
            "CONTAINS_TOKEN" => ContainsToken(stored.Text, filter.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>Like <see cref="Compare"/>, but null when the filter value is missing (range operators then match nothing).</summary>
    private static int? Ordered(StoredValue stored, string? value) => value is null ? null : Compare(stored, value);

    private static int Compare(StoredValue stored, string value)
    {
        if (stored.Number is { } number && TryNumber(value, out var other))
        {
            return number.CompareTo(other);
        }

        return string.Compare(stored.Text, value, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryNumber(string value, out double number)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return true;
        }

        // A filter may give a datetime as ISO 8601 too; it then compares as epoch ms.
        if (value.Length >= 10 && char.IsAsciiDigit(value[0]) && value[4] == '-'
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            number = instant.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
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
