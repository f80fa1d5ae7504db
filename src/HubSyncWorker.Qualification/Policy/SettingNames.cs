namespace HubSyncWorker.Qualification.Policy;

/// <summary>The setting a misspelt name probably meant, for "did you mean" in configuration and policy errors.</summary>
public static class SettingNames
{
    /// <summary>
    /// The candidate nearest to <paramref name="name"/> ignoring case, when at most <paramref name="maxEdits"/> edits
    /// (inserting, deleting or replacing a character) away; otherwise null.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> candidates, int maxEdits = 3)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        var best = candidates.Select(c => (Name: c, Edits: Distance(c.ToUpperInvariant(), name.ToUpperInvariant()))).MinBy(c => c.Edits);
        return best.Name is not null && best.Edits <= maxEdits ? best.Name : null;
    }

    /// <summary>Levenshtein distance: edits (insert, delete, replace) from one name to the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
