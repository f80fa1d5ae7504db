namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// The domain lists of up to 64 EmailDomain rules in one case-insensitive table: <see cref="Match"/> walks an address's
/// domain and its parent domains once ("eu.rival.example", "rival.example", "example") and returns the bit mask of the
/// lists holding any of them. Built once at compile time; matching allocates nothing.
/// </summary>
internal sealed class DomainMatcher
{
    private readonly StringTable<ulong> _masks;

    /// <summary>List <c>i</c> of <paramref name="groups"/> is bit <c>i</c> of the mask (at most 64 lists).</summary>
    public DomainMatcher(IReadOnlyList<IEnumerable<string>> groups)
    {
        if (groups.Count > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups.Count, "At most 64 domain lists.");
        }

        var masks = new Dictionary<string, ulong>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < groups.Count; i++)
        {
            foreach (var domain in groups[i])
            {
                masks[domain] = masks.GetValueOrDefault(domain) | (1UL << i);
            }
        }

        _masks = new StringTable<ulong>(masks, ignoreCase: true);
    }

    /// <summary>The mask of the lists that hold the domain of <paramref name="email"/> (the text after the last <c>@</c>, or all of it) or a parent domain.</summary>
    public ulong Match(ReadOnlySpan<char> email)
    {
        // Addresses are short: plain scans beat the vectorised searches, whose set-up costs more than these few characters.
        var start = email.Length;
        while (start > 0 && email[start - 1] != '@')
        {
            start--;
        }

        var end = email.Length;
        while (end > start && email[end - 1] == '.')
        {
            end--;
        }

        ulong mask = 0;
        while (start < end)
        {
            if (_masks.TryGetValue(email[start..end], out var found))
            {
                mask |= found;
            }

            while (start < end && email[start] != '.')
            {
                start++;
            }

            start++;
        }

        return mask;
    }
}
