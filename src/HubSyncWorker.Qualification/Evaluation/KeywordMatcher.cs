using System.Buffers;
using System.Collections.Frozen;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Case-insensitive "word-ish" keyword search over up to 64 keyword groups at once: a keyword matches where it starts a word
/// and ends a word, optionally followed by a plural <c>s</c> ("manager" matches "Managers"; "intern" does not match
/// "International"). <see cref="Match"/> returns the bit mask of the groups whose keywords occur, in one pass over the text.
/// Built once at compile time; matching allocates nothing.
/// </summary>
internal sealed class KeywordMatcher
{
    private readonly SearchValues<string> _searchValues;
    private readonly SearchValues<string>? _asciiSearchValues;
    private readonly FrozenDictionary<char, Entry[]> _byFirstChar;
    private readonly Entry[]?[] _byAsciiFirstChar = new Entry[]?[128];

    /// <summary>A single group (bit 0).</summary>
    public KeywordMatcher(IEnumerable<string> keywords)
        : this([keywords])
    {
    }

    /// <summary>Group <c>i</c> of <paramref name="groups"/> is bit <c>i</c> of the mask (at most 64 groups).</summary>
    public KeywordMatcher(IReadOnlyList<IEnumerable<string>> groups)
    {
        if (groups.Count > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups.Count, "At most 64 keyword groups.");
        }

        var masks = new Dictionary<string, ulong>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < groups.Count; i++)
        {
            foreach (var raw in groups[i])
            {
                var keyword = raw?.Trim();
                if (!string.IsNullOrEmpty(keyword))
                {
                    masks[keyword] = masks.GetValueOrDefault(keyword) | (1UL << i);
                }
            }
        }

        Keywords = [.. masks.Keys.Order(StringComparer.Ordinal)];
        _searchValues = SearchValues.Create([.. Keywords], StringComparison.OrdinalIgnoreCase);

        // An ASCII text cannot contain a keyword with non-ASCII letters ("étudiant"), and the ASCII-only search is several
        // times faster: most names and titles are ASCII.
        var asciiKeywords = Keywords.Where(k => System.Text.Ascii.IsValid(k)).ToArray();
        _asciiSearchValues = asciiKeywords.Length == 0 ? null : SearchValues.Create(asciiKeywords, StringComparison.OrdinalIgnoreCase);
        _byFirstChar = masks
            .GroupBy(p => char.ToUpperInvariant(p.Key[0]))
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(p => p.Key.Length).Select(p => new Entry(p.Key, p.Value)).ToArray());
        foreach (var (first, entries) in _byFirstChar)
        {
            if (char.IsAscii(first))
            {
                _byAsciiFirstChar[first] = entries;
            }
        }
    }

    public IReadOnlyList<string> Keywords { get; }

    /// <summary>True when any keyword occurs.</summary>
    public bool IsMatch(ReadOnlySpan<char> text) => Match(text, firstOnly: true) != 0;

    /// <summary>The mask of the groups with a keyword in <paramref name="text"/>.</summary>
    public ulong Match(ReadOnlySpan<char> text, bool firstOnly = false)
    {
        ulong mask = 0;
        var offset = 0;
        var searchValues = _searchValues;
        if (System.Text.Ascii.IsValid(text))
        {
            if (_asciiSearchValues is null)
            {
                return 0;
            }

            searchValues = _asciiSearchValues;
        }

        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny(searchValues);
            if (found < 0)
            {
                break;
            }

            var start = offset + found;
            var upper = char.ToUpperInvariant(text[start]);
            var entries = char.IsAscii(upper) ? _byAsciiFirstChar[upper] : _byFirstChar.GetValueOrDefault(upper);
            if (entries is not null && (start == 0 || !char.IsLetterOrDigit(text[start - 1])))
            {
                var candidate = text[start..];
                foreach (var entry in entries)
                {
                    if (candidate.StartsWith(entry.Keyword, StringComparison.OrdinalIgnoreCase) && EndsWord(candidate, entry.Keyword.Length))
                    {
                        mask |= entry.Mask;
                        if (firstOnly)
                        {
                            return mask;
                        }
                    }
                }
            }

            offset = start + 1;
        }

        return mask;
    }

    private static bool EndsWord(ReadOnlySpan<char> candidate, int length)
    {
        if (length >= candidate.Length || !char.IsLetterOrDigit(candidate[length]))
        {
            return true;
        }

        // A plural "s" still ends the word: "managers", "ebooks".
        return (candidate[length] is 's' or 'S') && (length + 1 >= candidate.Length || !char.IsLetterOrDigit(candidate[length + 1]));
    }

    private readonly record struct Entry(string Keyword, ulong Mask);
}
