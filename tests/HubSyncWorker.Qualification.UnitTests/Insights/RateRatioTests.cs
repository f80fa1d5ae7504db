using CsCheck;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Qualification.UnitTests.Insights;

/// <summary>The rate ratio and its Katz interval: hand-computed cases and properties.</summary>
public sealed class RateRatioTests
{
    private const int Precision = 9;

    [Fact]
    public void Katz_ThirtyOfHundredAgainstTenOfHundred_HandComputedInterval()
    {
        // RR = 0.3 / 0.1 = 3; SE = √(1/30 − 1/100 + 1/10 − 1/100) = 0.336650; 3 × e^(∓1.959964 × 0.336650) = 1.550830, 5.803345.
        var lift = RateRatio.Katz(30, 100, 10, 100)!;

        Assert.Equal(3, lift.Ratio, Precision);
        Assert.Equal(1.5508297195, lift.Low, Precision);
        Assert.Equal(5.8033450653, lift.High, Precision);
        Assert.False(lift.Corrected);
        Assert.False(lift.IncludesNoEffect);
    }

    [Fact]
    public void Katz_NoConversionWithTheSignal_HalfAddedToEveryCell()
    {
        // 0/50 against 10/100 → 0.5/51 against 10.5/101: RR = 0.094304; SE = √(1/0.5 − 1/51 + 1/10.5 − 1/101) = 1.4687.
        var lift = RateRatio.Katz(0, 50, 10, 100)!;

        Assert.True(lift.Corrected);
        Assert.Equal(0.0943043884, lift.Ratio, Precision);
        Assert.Equal(0.0056380658, lift.Low, Precision);
        Assert.Equal(1.5773703352, lift.High, Precision);
        Assert.True(lift.IncludesNoEffect);
    }

    [Fact]
    public void Katz_SameRates_RatioOneInsideInterval()
    {
        var lift = RateRatio.Katz(12, 40, 12, 40)!;

        Assert.Equal(1, lift.Ratio, Precision);
        Assert.Equal(0.5119874590, lift.Low, Precision);
        Assert.Equal(1.9531728414, lift.High, Precision);
        Assert.True(lift.IncludesNoEffect);
    }

    [Fact]
    public void Katz_EveryoneConvertedOnBothSides_DegenerateIntervalAtOne()
    {
        var lift = RateRatio.Katz(20, 20, 35, 35)!;

        Assert.Equal((1.0, 1.0, 1.0), (lift.Ratio, lift.Low, lift.High));
    }

    [Theory]
    [InlineData(0, 0, 3, 10)]
    [InlineData(3, 10, 0, 0)]
    public void Katz_SideWithNoEligibleContact_Null(int a, int n1, int c, int n2) => Assert.Null(RateRatio.Katz(a, n1, c, n2));

    [Fact]
    public void Katz_AnyCounts_RatioInsideFinitePositiveInterval() =>
        Gen.Select(Gen.Int[1, 5000], Gen.Int[1, 5000], Gen.Double[0, 1], Gen.Double[0, 1])
            .Sample((n1, n2, p1, p2) =>
            {
                var lift = RateRatio.Katz((int)(n1 * p1), n1, (int)(n2 * p2), n2)!;
                Assert.True(double.IsFinite(lift.Low) && double.IsFinite(lift.High) && lift.Low > 0, $"{lift}");
                Assert.InRange(lift.Ratio, lift.Low * (1 - 1e-12), lift.High * (1 + 1e-12));
            }, iter: 2000);

    [Fact]
    public void Katz_MoreContactsSameRates_NarrowerInterval() =>
        Gen.Select(Gen.Int[1, 50], Gen.Int[1, 50], Gen.Int[2, 10])
            .Sample((a, c, scale) =>
            {
                var small = RateRatio.Katz(a, 100, c, 100)!;
                var large = RateRatio.Katz(a * scale, 100 * scale, c * scale, 100 * scale)!;
                Assert.True(Math.Log(large.High / large.Low) < Math.Log(small.High / small.Low));
            }, iter: 500);
}
