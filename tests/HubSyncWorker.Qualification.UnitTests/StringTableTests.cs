using CsCheck;
using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The table behind property slots, value lists, domains and sources.</summary>
public sealed class StringTableTests
{
    private static StringTable<int> Indexed(IEnumerable<string> keys, bool ignoreCase) =>
        new(keys.Select((key, i) => KeyValuePair.Create(key, i)), ignoreCase);

    private static int IndexOf(StringTable<int> table, string key) => table.TryGetValue(key, out var index) ? index : -1;

    [Fact]
    public void TryGetValue_DefaultPolicyProperties_EachItsOwnSlot()
    {
        var names = ContactBuilder.DefaultPolicy.RequiredProperties;
        var table = Indexed(names, ignoreCase: false);

        Assert.Equal(Enumerable.Range(0, names.Count), names.Select(name => IndexOf(table, name)));
    }

    [Fact]
    public void TryGetValue_ManyLookAlikeKeys_EachItsOwnValue()
    {
        // More keys than any multiplier separates: the lookups that share a cell must still find their own key.
        var keys = Enumerable.Range(0, 3000).Select(i => $"hs_custom_{i % 10}_{i}").ToArray();
        var table = Indexed(keys, ignoreCase: false);

        Assert.Equal(Enumerable.Range(0, keys.Length), keys.Select(key => IndexOf(table, key)));
    }

    [Theory]
    [InlineData("LIFECYCLESTAGE")]
    [InlineData("lifecyclestage ")]
    [InlineData("")]
    [InlineData("hs_analytics_num_visit")]
    public void TryGetValue_Ordinal_OtherCaseOrNameNotFound(string name) =>
        Assert.Equal(-1, IndexOf(Indexed(ContactBuilder.DefaultPolicy.RequiredProperties, ignoreCase: false), name));

    [Theory]
    [InlineData("computer_software", 0)]
    [InlineData("COMPUTER_SOFTWARE", 0)]
    [InlineData("Étudiant", 1)]
    [InlineData("éTUDIANT", 1)]
    [InlineData("ÉTUDIANTE", -1)]
    [InlineData("DIRECT_TRAFFIC", 2)]
    [InlineData("direct-traffic", -1)]
    [InlineData("ınternet", -1)]
    [InlineData("INTERNET", 3)]
    [InlineData("", -1)]
    public void TryGetValue_IgnoringCase_OrdinalIgnoreCaseEquality(string key, int expected) =>
        Assert.Equal(expected, IndexOf(Indexed(["COMPUTER_SOFTWARE", "étudiant", "direct_traffic", "internet"], ignoreCase: true), key));

    [Fact]
    public void TryGetValue_DuplicateKeys_FirstKept()
    {
        var table = Indexed(["FR", "fr", "France"], ignoreCase: true);

        Assert.Equal((0, 2), (IndexOf(table, "Fr"), IndexOf(table, "FRANCE")));
    }

    // Few distinct characters, so keys often share their first four characters and differ later: letters of both cases, the
    // characters next to them in ASCII ('@' is 'A' - 1, '`' is 'a' - 1, '[' follows 'Z'), '_', and non-ASCII letters that
    // fold to ASCII-looking ones (the Kelvin sign, dotless i): where comparing four characters at a time could go wrong.
    private static readonly Gen<char> KeyChars = Gen.Char["aAbB@`[_\u0131\u212A"];

    private static readonly Gen<string> Keys = Gen.String[KeyChars, 1, 11];

    [Fact]
    public void TryGetValue_IgnoringCase_RandomKeys_SameAsOrdinalIgnoreCase()
    {
        // The probe is a key with one character replaced (often the same letter in the other case).
        Gen.Select(Keys.Array[1, 8], Gen.Int[0, 7], Gen.Int[0, 10], KeyChars).Sample((keys, which, at, c) =>
        {
            var table = Indexed(keys, ignoreCase: true);
            var key = keys[which % keys.Length];
            var probe = string.Concat(key.AsSpan(0, at % key.Length), c.ToString(), key.AsSpan((at % key.Length) + 1));
            foreach (var text in keys.Append(probe))
            {
                var expected = Array.FindIndex(keys, k => string.Equals(k, text, StringComparison.OrdinalIgnoreCase));
                Assert.Equal(expected, IndexOf(table, text));
            }
        }, iter: 5000);
    }
}
