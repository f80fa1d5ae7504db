using CsCheck;
using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The matcher behind EmailDomain rules: an address's domain and its parent domains, ignoring case.</summary>
public sealed class DomainMatcherTests
{
    private static readonly string[][] Lists = [["gmail.com", "yahoo.fr"], ["rival.example", "competitor.example"], ["example"]];

    private static readonly DomainMatcher Matcher = new([.. Lists.Select(l => (IEnumerable<string>)l)]);

    [Theory]
    [InlineData("claire@acme.example", 0b100UL)]
    [InlineData("spy@eu.RIVAL.example", 0b110UL)]
    [InlineData("Tom@Gmail.Com", 0b001UL)]
    [InlineData("tom@gmail.com.", 0b001UL)]
    [InlineData("gmail.com", 0b001UL)]
    [InlineData("a@b@yahoo.fr", 0b001UL)]
    [InlineData("tom@notgmail.com", 0UL)]
    [InlineData("tom@", 0UL)]
    [InlineData("", 0UL)]
    [InlineData("tom@gmail..com", 0UL)]
    public void Match_DomainAndParents_MaskOfTheirLists(string email, ulong expected) =>
        Assert.Equal(expected, Matcher.Match(email));

    /// <summary>The documented rule, written naively: the text after the last @, trailing dots dropped, and each suffix after a dot.</summary>
    private static ulong Reference(string email)
    {
        var domain = email[(email.LastIndexOf('@') + 1)..].TrimEnd('.');
        ulong mask = 0;
        while (domain.Length > 0)
        {
            for (var i = 0; i < Lists.Length; i++)
            {
                if (Lists[i].Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)))
                {
                    mask |= 1UL << i;
                }
            }

            var dot = domain.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                break;
            }

            domain = domain[(dot + 1)..];
        }

        return mask;
    }

    [Fact]
    public void Match_RandomAddresses_SameAsTheNaiveRule()
    {
        var parts = Gen.OneOf(Gen.Const("gmail"), Gen.Const("GMAIL"), Gen.Const("com"), Gen.Const("rival"), Gen.Const("example"),
            Gen.Const("yahoo"), Gen.Const("fr"), Gen.Const("x"), Gen.Const(""), Gen.Const("@"), Gen.Const("eu"));
        var addresses = Gen.Select(parts, Gen.OneOf(Gen.Const("."), Gen.Const("@"), Gen.Const(""))).Array[0, 6]
            .Select(p => string.Concat(p.Select(x => x.Item1 + x.Item2)));

        addresses.Sample(email => Assert.Equal(Reference(email), Matcher.Match(email)), iter: 5000);
    }
}
