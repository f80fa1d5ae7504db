namespace HubSyncWorker.Qualification.Insights;

/// <summary>The rate ratio of two groups and its 95 % confidence interval (Katz's log method).</summary>
internal static class RateRatio
{
    /// <summary>The normal quantile of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// (<paramref name="convertedWith"/> ÷ <paramref name="eligibleWith"/>) ÷ (<paramref name="convertedWithout"/> ÷ <paramref name="eligibleWithout"/>)
    /// with its 95 % interval, or null when a side has no eligible contact.
    /// </summary>
    /// <remarks>
    /// ln(RR) ± z × √(1/a − 1/n₁ + 1/c − 1/n₂). A side that converted no one has no logarithm: then 0.5 is added to each of the
    /// four cells (converted and not, each side), the usual continuity correction, and the ratio is the corrected one so that
    /// it stays inside its interval. A side where everyone converted needs no correction (its term is 0).
    /// </remarks>
    public static Lift? Katz(int convertedWith, int eligibleWith, int convertedWithout, int eligibleWithout)
    {
        if (eligibleWith <= 0 || eligibleWithout <= 0)
        {
            return null;
        }

        double a = convertedWith, n1 = eligibleWith, c = convertedWithout, n2 = eligibleWithout;
        var corrected = convertedWith == 0 || convertedWithout == 0;
        if (corrected)
        {
            a += 0.5;
            c += 0.5;
            n1 += 1;
            n2 += 1;
        }

        var logRatio = Math.Log(a / n1) - Math.Log(c / n2);
        var standardError = Math.Sqrt(Math.Max(0, (1 / a) - (1 / n1) + (1 / c) - (1 / n2)));
        return new Lift(Math.Exp(logRatio), Math.Exp(logRatio - (Z95 * standardError)), Math.Exp(logRatio + (Z95 * standardError)))
        {
            Corrected = corrected,
        };
    }
}
