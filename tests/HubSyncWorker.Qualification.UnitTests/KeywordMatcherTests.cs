using CsCheck;
using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The keyword matcher behind Contains rules, conversion rules, hand-raisers and offer buckets.</summary>
public sealed class KeywordMatcherTests
{
    [Theory]
    [InlineData("VP of eBooks", 0b101UL)]
    [InlineData("Headhunter, marketing intern", 0b010UL)]
    [InlineData("International head", 0b001UL)]
    [InlineData("ebook-writer; HEAD", 0b101UL)]
    [InlineData("vpn ebookshelf internals", 0UL)]
    [InlineData("", 0UL)]
    public void Match_KeywordsStartingAndEndingWords_MaskOfTheirGroups(string text, ulong expected)
    {
        var matcher = new KeywordMatcher([["head", "vp"], ["intern"], ["ebook"]]);

        Assert.Equal(expected, matcher.Match(text));
    }

    [Theory]
    [InlineData("Étudiant en master", true)]
    [InlineData("ÉTUDIANTE", false)]
    [InlineData("Etudiant", false)]
    [InlineData("Senior c++ developer", true)]
    [InlineData("abc++", false)]
    [InlineData("Contact Sales team", true)]
    [InlineData("contact salesforce", false)]
    public void IsMatch_NonAsciiPunctuationAndMultiWordKeywords(string text, bool expected)
    {
        var matcher = new KeywordMatcher(["étudiant", "c++", "contact sales"]);

        Assert.Equal(expected, matcher.IsMatch(text));
    }

    [Fact]
    public void Match_KeywordInTwoGroups_SetsBothBits()
    {
        var matcher = new KeywordMatcher([["demo"], ["Demo", "trial"]]);

        Assert.Equal(0b11UL, matcher.Match("Request a DEMO"));
    }

    private static readonly string[] Tokens =
        ["vp", "VP", "head", "Headhunter", "intern", "International", "étudiant", "Étudiante", "c++", "contact sales", "ebooks", "s",
         "demo", "démo", "x", "é", "中文", "ſ", "42"];

    private static readonly string[] Separators = [" ", "", "-", ", ", ":", "é", "_", "'"];

    private static readonly Gen<string> Texts =
        Gen.Select(Gen.OneOf(Tokens), Gen.OneOf(Separators)).Array[0, 6]
            .Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)));

    /// <summary>The documented rule, written naively: at each word start, every keyword that begins there and ends a word.</summary>
    private static ulong Reference(string[][] groups, string text)
    {
        ulong mask = 0;
        for (var start = 0; start < text.Length; start++)
        {
            if (start > 0 && char.IsLetterOrDigit(text[start - 1]))
            {
                continue;
            }

            for (var g = 0; g < groups.Length; g++)
            {
                foreach (var keyword in groups[g])
                {
                    var end = start + keyword.Length;
                    if (text.AsSpan(start).StartsWith(keyword, StringComparison.OrdinalIgnoreCase)
                        && (end >= text.Length || !char.IsLetterOrDigit(text[end])
                            || (text[end] is 's' or 'S' && (end + 1 >= text.Length || !char.IsLetterOrDigit(text[end + 1])))))
                    {
                        mask |= 1UL << g;
                    }
                }
            }
        }

        return mask;
    }

    [Fact]
    public void Match_RandomTexts_SameAsTheNaiveRule()
    {
        string[][] groups = [["vp", "head"], ["intern"], ["étudiant", "démo"], ["c++", "contact sales"], ["ebook", "s"], ["x", "中文"], ["demo"]];
        var matcher = new KeywordMatcher([.. groups.Select(g => (IEnumerable<string>)g)]);

        Texts.Sample(text => Assert.Equal(Reference(groups, text), matcher.Match(text)), iter: 5000);
    }
}
