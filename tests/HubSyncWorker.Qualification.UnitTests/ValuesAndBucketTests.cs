using System.Globalization;
using CsCheck;
using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>HubSpot value parsing and the source bucket.</summary>
public sealed class ValuesAndBucketTests
{
    private static readonly DateTimeOffset Now = ContactBuilder.Now;

    [Theory]
    [InlineData("200", 200.0)]
    [InlineData("-5", -5.0)]
    [InlineData("200.5", 200.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData(" 42 ", 42.0)]
    [InlineData("", null)]
    [InlineData("ten", null)]
    [InlineData("-", null)]
    public void ParseNumber_HubSpotStrings_InvariantCulture(string value, double? expected) =>
        Assert.Equal(expected, HubSpotValues.ParseNumber(value));

    [Theory]
    [InlineData("2026-01-05", "2026-01-05")]
    [InlineData("1767571200000", "2026-01-05")]
    [InlineData("0001767571200000", "2026-01-05")]
    [InlineData("00000001767571200000", "2026-01-05")]
    [InlineData("000001767571200000", "2026-01-05")]
    [InlineData("0000001767571200000", "2026-01-05")]
    [InlineData(" 1767571200000 ", "2026-01-05")]
    [InlineData("1767571200000x", null)]
    [InlineData("000000000000000000x", null)]
    [InlineData("253402300799999", "9999-12-31")]
    [InlineData("253402300800000", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("2026-01-05T23:59:59.999Z", "2026-01-05")]
    [InlineData("2026-01-05T10:00:00Z", "2026-01-05")]
    [InlineData("2026-01-05T23:30:00+02:00", "2026-01-05")]
    [InlineData("2026-02-30", null)]
    [InlineData("yesterday", null)]
    public void ParseDate_EpochMsIsoAndDate_SameCalendarDay(string value, string? expected) =>
        Assert.Equal(expected is null ? null : DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), HubSpotValues.ParseDate(value));

    [Fact]
    public void ParseDateTime_IsoWithFraction_ExactInstant() =>
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 0, 0, 123, TimeSpan.Zero), HubSpotValues.ParseDateTime("2026-01-05T10:00:00.123Z"));

    [Theory]
    [InlineData("ORGANIC_SEARCH", "Request a demo", "organic:demo")]
    [InlineData("paid_social", "Livre blanc SEO", "paid_social:content")]
    [InlineData("SOMETHING_NEW", "Newsletter", "other:newsletter")]
    [InlineData(null, "Contact us", "unknown:form")]
    public void SourceBucket_SourceAndFirstConversion(string? source, string firstConversion, string expected)
    {
        var contact = new ContactBuilder().With("hs_analytics_source", source).With("first_conversion_event_name", firstConversion).Converted("Newsletter").Build();

        Assert.Equal(expected, ContactBuilder.DefaultPolicy.Evaluate(contact, Now).SourceBucket);
    }

    [Fact]
    public void SourceBucket_NoFirstConversionProperty_OldestConversionInHistory()
    {
        var contact = new ContactBuilder().With("hs_analytics_source", "REFERRALS").Converted("Webinar replay", "Request a demo").Build();

        Assert.Equal("referral:video", ContactBuilder.DefaultPolicy.Evaluate(contact, Now).SourceBucket);
    }

    [Fact]
    public void SourceBucket_NeverConverted_None()
    {
        var contact = new ContactBuilder().With("hs_analytics_source", "DIRECT_TRAFFIC").Build();

        Assert.Equal("direct:none", ContactBuilder.DefaultPolicy.Evaluate(contact, Now).SourceBucket);
    }

    [Theory]
    [InlineData("999999999999999")]
    [InlineData("9999999999999999")]
    [InlineData("9999999999999999999")]
    [InlineData("99999999999999999999")]
    [InlineData("-9999999999999999999")]
    [InlineData("253402300799999")]
    [InlineData("253402300800000")]
    [InlineData("0000000000001772193600000")]
    public void ParseNumberAndDateTime_LongDigitRuns_SameAsTheBclParsers(string text) => AssertSameAsTheBcl(text);

    [Fact]
    public void ParseNumberAndDateTime_DigitStrings_SameAsTheBclParsers()
    {
        // The digit-only fast paths against the BCL: every length up to past the 15-digit limit (where a long would
        // overflow: digit-only strings get their own generator, or they would be rare), leading zeros, signs.
        Gen.OneOf(Gen.String[Gen.Char["0123456789-+ "], 0, 20], Gen.String[Gen.Char["0123456789"], 12, 22]).Sample(AssertSameAsTheBcl, iter: 5000);
    }

    private static void AssertSameAsTheBcl(string text)
    {
        double? number = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;
        Assert.Equal(number, HubSpotValues.ParseNumber(text));

        var trimmed = text.Trim();
        DateTimeOffset? instant = trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit)
            && long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 253_402_300_799_999L
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        if (instant is not null || trimmed.Length == 0 || trimmed.All(char.IsAsciiDigit))
        {
            Assert.Equal(instant, HubSpotValues.ParseDateTime(text));
        }
    }
}
