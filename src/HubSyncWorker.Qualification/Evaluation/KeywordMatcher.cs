using System.Collections.Frozen;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Case-insensitive "word-ish" keyword search over up to 64 keyword groups at once: a keyword matches where it starts a word
/// and ends a word, optionally followed by a plural <c>s</c> ("manager" matches "Managers"; "intern" does not match
/// "International"). <see cref="Match"/> returns the bit mask of the groups whose keywords occur, in one pass over the text.
/// Built once at compile time; matching allocates nothing.
/// </summary>
/// <remarks>
/// A keyword can only match where a word starts, so the text is walked once and only the keywords that begin with the
/// character at each word start are compared there (a table indexed by that character). The texts are short (conversion
/// names, job titles: a few words), where this beats a general multi-string search (<c>SearchValues&lt;string&gt;</c>
/// spent more time setting up each of its calls, one per candidate position, than comparing). An ASCII keyword is compared
/// with a precomputed case mask, which is exactly <see cref="StringComparison.OrdinalIgnoreCase"/> for it: no non-ASCII
/// character equals an ASCII one ignoring case.
/// </remarks>
internal sealed class KeywordMatcher
{
    // Index: an ASCII text character (either case). Entries: every keyword whose first character is that letter, ignoring case.
    private readonly Entry[]?[] _byAsciiFirstChar = new Entry[]?[128];
    private readonly FrozenDictionary<char, Entry[]> _byNonAsciiFirstChar;

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
        var byFirstChar = masks
            .GroupBy(p => char.ToUpperInvariant(p.Key[0]))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Key.Length).Select(p => new Entry(p.Key, p.Value)).ToArray());
        _byNonAsciiFirstChar = byFirstChar.Where(p => !char.IsAscii(p.Key)).ToFrozenDictionary();
        for (var c = (char)0; c < 128; c++)
        {
            _byAsciiFirstChar[c] = byFirstChar.GetValueOrDefault(char.ToUpperInvariant(c));
        }
    }

    public IReadOnlyList<string> Keywords { get; }

    /// <summary>True when any keyword occurs.</summary>
    public bool IsMatch(ReadOnlySpan<char> text) => Match(text, firstOnly: true) != 0;

    /// <summary>The mask of the groups with a keyword in <paramref name="text"/>.</summary>
    public ulong Match(ReadOnlySpan<char> text, bool firstOnly = false)
    {
        ulong mask = 0;
        var start = 0;
        while (start < text.Length)
        {
            // A word starts here (the text's start, or after a character that is not a letter or digit).
            var c = text[start];
            var entries = c < 128 ? _byAsciiFirstChar[c] : Lookup(c);
            if (entries is not null)
            {
                var candidate = text[start..];
                foreach (var entry in entries)
                {
                    if (entry.StartsOf(candidate) && EndsWord(candidate, entry.Length))
                    {
                        mask |= entry.Mask;
                        if (firstOnly)
                        {
                            return mask;
                        }
                    }
                }
            }

            start++;
            if (char.IsLetterOrDigit(c))
            {
                // Inside a word no keyword can start: skip to the character ending it, after which the next word starts.
                while (start < text.Length && char.IsLetterOrDigit(text[start]))
                {
                    start++;
                }

                start++;
            }
        }

        return mask;
    }

    private Entry[]? Lookup(char c)
    {
        var upper = char.ToUpperInvariant(c);
        return char.IsAscii(upper) ? _byAsciiFirstChar[upper] : _byNonAsciiFirstChar.GetValueOrDefault(upper);
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

    private sealed class Entry
    {
        private readonly AsciiKey? _ascii;

        public Entry(string keyword, ulong mask)
        {
            Keyword = keyword;
            Length = keyword.Length;
            Mask = mask;
            _ascii = AsciiKey.TryCreate(keyword);
        }

        public string Keyword { get; }

        public int Length { get; }

        public ulong Mask { get; }

        /// <summary>Whether <paramref name="text"/> starts with the keyword, ignoring case (ordinal).</summary>
        public bool StartsOf(ReadOnlySpan<char> text) =>
            _ascii is { } ascii ? ascii.StartsOf(text) : text.StartsWith(Keyword, StringComparison.OrdinalIgnoreCase);
    }
}
