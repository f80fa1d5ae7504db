using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>Engagement points halve every <see cref="HalfLife"/> days since the contact's latest engagement.</summary>
internal sealed class EngagementDecay
{
    private const int TableDays = 366;

    private readonly double[] _factorByDay;
    private readonly int[] _lastEngagementSlots;
    private readonly int _maxScore;

    public EngagementDecay(EngagementOptions engagement, PropertySlots slots)
    {
        HalfLife = engagement.DecayHalfLifeDays;
        _maxScore = engagement.MaxScore;

        // The factor for each whole day of inactivity up to a year, so most evaluations read it instead of calling Math.Pow
        // (the same expression, so the same values).
        _factorByDay = HalfLife > 0 ? [.. Enumerable.Range(0, TableDays).Select(days => Math.Pow(0.5, days / HalfLife))] : [];
        _lastEngagementSlots = [.. LastEngagementProperties(engagement).Select(slots.SlotOf)];
    }

    /// <summary>Days for engagement to halve; 0 for no decay.</summary>
    public double HalfLife { get; }

    /// <summary>The properties whose latest date is the contact's last engagement.</summary>
    public static IEnumerable<string> LastEngagementProperties(EngagementOptions engagement) => engagement.LastEngagementProperties.Select(p => p.Trim());

    /// <summary>The latest date among the last-engagement properties, or null when none holds one.</summary>
    public DateTimeOffset? LastEngagement(ReadOnlySpan<string?> values)
    {
        DateTimeOffset? latest = null;
        foreach (var slot in _lastEngagementSlots)
        {
            if (HubSpotValues.ParseDateTime(values[slot]) is { } date && (latest is null || date > latest))
            {
                latest = date;
            }
        }

        return latest;
    }

    /// <summary>The engagement score: <paramref name="raw"/> points decayed since <paramref name="lastEngagement"/>, rounded, 0..MaxScore.</summary>
    public int Score(int raw, DateTimeOffset? lastEngagement, DateTimeOffset now)
    {
        if (raw <= 0)
        {
            return 0;
        }

        var factor = 1.0;
        if (HalfLife > 0 && lastEngagement is { } last && now > last)
        {
            // Decay counts whole UTC days: scores change at most once a day, so a resync right after another writes nothing,
            // instead of nudging a rounded engagement score by one point every few hours.
            var days = (now.UtcDateTime.Date - last.UtcDateTime.Date).Days;
            factor = (uint)days < (uint)_factorByDay.Length ? _factorByDay[days] : Math.Pow(0.5, days / HalfLife);
        }

        return (int)Math.Min(_maxScore, Math.Round(raw * factor, MidpointRounding.AwayFromZero));
    }
}
