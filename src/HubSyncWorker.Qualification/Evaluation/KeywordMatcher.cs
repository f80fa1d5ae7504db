using System.Buffers;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Case-insensitive "word-ish" keyword search: a keyword matches where it starts a word and ends a word,
/// optionally followed by a plural <c>s</c> ("manager" matches "Managers" but "intern" does not match "International").
/// Built once at compile time; matching allocates nothing.
/// </summary>
internal sealed class KeywordMatcher
{
    private readonly SearchValues<string> _searchValues;
    private readonly string[] _keywords;

    public KeywordMatcher(IEnumerable<string> keywords)
    {
        _keywords = keywords.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)
            // Longest first, so "webinar replay" is tried before "webinar" at the same position.
            .OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).ToArray();
        _searchValues = SearchValues.Create(_keywords, StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<string> Keywords => _keywords;

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var rest = text[offset..];
            var found = rest.IndexOfAny(_searchValues);
            if (found < 0)
            {
                return false;
            }

            var start = offset + found;
            if (start == 0 || !char.IsLetterOrDigit(text[start - 1]))
            {
                var candidate = text[start..];
                foreach (var keyword in _keywords)
                {
                    if (candidate.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && EndsWord(candidate, keyword.Length))
                    {
                        return true;
                    }
                }
            }

            offset = start + 1;
        }

        return false;
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
}
