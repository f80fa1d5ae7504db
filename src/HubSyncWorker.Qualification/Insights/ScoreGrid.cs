namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// Contacts counted by fit band × engagement band at their cut-off: the calibration grid, and the would-be MQLs of every pair
/// of thresholds on the band grid (fit ≥ a and engagement ≥ b, no disqualifier fired), from which the threshold suggestions are chosen.
/// </summary>
internal sealed class ScoreGrid
{
    private readonly int _bandWidth;
    private readonly int _fitMax;
    private readonly int _engagementMax;
    private readonly int _mqlFit;
    private readonly int _mqlEngagement;
    private readonly int[,] _contacts;
    private readonly int[,] _toSql;
    private readonly int[,] _toCustomer;
    private readonly int[,] _eligible;
    private readonly int[,] _eligibleToSql;
    private int _currentMqls;
    private int _currentToSql;

    public ScoreGrid(int bandWidth, int fitMax, int engagementMax, int mqlFit, int mqlEngagement)
    {
        _bandWidth = bandWidth;
        _fitMax = fitMax;
        _engagementMax = engagementMax;
        _mqlFit = mqlFit;
        _mqlEngagement = mqlEngagement;
        var fitBands = (fitMax / bandWidth) + 1;
        var engagementBands = (engagementMax / bandWidth) + 1;
        _contacts = new int[fitBands, engagementBands];
        _toSql = new int[fitBands, engagementBands];
        _toCustomer = new int[fitBands, engagementBands];
        _eligible = new int[fitBands, engagementBands];
        _eligibleToSql = new int[fitBands, engagementBands];
    }

    public void Add(int fit, int engagement, bool disqualified, in Outcome outcome)
    {
        fit = Math.Clamp(fit, 0, _fitMax);
        engagement = Math.Clamp(engagement, 0, _engagementMax);
        int f = fit / _bandWidth, e = engagement / _bandWidth;
        _contacts[f, e]++;
        _toSql[f, e] += outcome.ReachedSql ? 1 : 0;
        _toCustomer[f, e] += outcome.ReachedCustomer ? 1 : 0;
        if (disqualified)
        {
            return;
        }

        _eligible[f, e]++;
        _eligibleToSql[f, e] += outcome.ReachedSql ? 1 : 0;
        if (fit >= _mqlFit && engagement >= _mqlEngagement)
        {
            _currentMqls++;
            _currentToSql += outcome.ReachedSql ? 1 : 0;
        }
    }

    public Calibration Calibration()
    {
        var cells = new List<CalibrationCell>();
        for (var f = 0; f < _contacts.GetLength(0); f++)
        {
            for (var e = 0; e < _contacts.GetLength(1); e++)
            {
                if (_contacts[f, e] > 0)
                {
                    cells.Add(new CalibrationCell(f * _bandWidth, e * _bandWidth, _contacts[f, e], _toSql[f, e], _toCustomer[f, e]));
                }
            }
        }

        return new Calibration(_bandWidth, _mqlFit, _mqlEngagement, cells) { CurrentMqlToSql = new StepRate(_currentMqls, _currentToSql) };
    }

    /// <summary>
    /// The pair reaching <paramref name="target"/> with the most MQLs (ties: the higher rate, then the lower thresholds); when none
    /// reaches it, the pair with the best rate (ties: more MQLs). Pairs with fewer than <paramref name="minimumMqls"/> would-be MQLs
    /// are left out (a handful of MQLs reaches any rate by chance) unless no pair has that many.
    /// </summary>
    public ThresholdSuggestion ForRate(double target, int minimumMqls)
    {
        var pairs = Pairs();
        var floor = pairs.Any(p => p.Rate.Eligible >= minimumMqls) ? minimumMqls : 1;
        var candidates = pairs.Where(p => p.Rate.Eligible >= floor).ToList();
        if (candidates.Count == 0)
        {
            return new ThresholdSuggestion(ThresholdSuggestion.MqlToSqlRateGoal, _mqlFit, _mqlEngagement, 0, new StepRate(0, 0))
            {
                Target = target,
                TargetReached = false,
            };
        }

        var reaching = candidates.Where(p => p.Rate.Rate >= target).ToList();
        var best = reaching.Count > 0
            ? Best(reaching, (a, b) => a.Rate.Eligible != b.Rate.Eligible ? a.Rate.Eligible > b.Rate.Eligible : a.Rate.Rate > b.Rate.Rate)
            : Best(candidates, (a, b) => a.Rate.Rate != b.Rate.Rate ? a.Rate.Rate > b.Rate.Rate : a.Rate.Eligible > b.Rate.Eligible);
        return new ThresholdSuggestion(ThresholdSuggestion.MqlToSqlRateGoal, best.Fit, best.Engagement, best.Rate.Eligible, best.Rate)
        {
            Target = target,
            TargetReached = reaching.Count > 0,
        };
    }

    /// <summary>The pair whose MQL count is closest to <paramref name="target"/> (ties: the higher MQL→SQL rate, then the lower thresholds).</summary>
    public ThresholdSuggestion ForVolume(int target)
    {
        var best = Best(Pairs(), (a, b) =>
        {
            long da = Math.Abs((long)a.Rate.Eligible - target), db = Math.Abs((long)b.Rate.Eligible - target);
            return da != db ? da < db : (a.Rate.Rate ?? -1) > (b.Rate.Rate ?? -1);
        });
        return new ThresholdSuggestion(ThresholdSuggestion.MqlVolumeGoal, best.Fit, best.Engagement, best.Rate.Eligible, best.Rate) { Target = target };
    }

    /// <summary>Every pair of thresholds on the band grid, lowest fit first, then lowest engagement, with its would-be MQLs.</summary>
    private List<Pair> Pairs()
    {
        int fitBands = _eligible.GetLength(0), engagementBands = _eligible.GetLength(1);

        // Suffix sums: [f, e] counts the contacts in bands ≥ f and ≥ e, i.e. fit ≥ f × width and engagement ≥ e × width.
        var mqls = new int[fitBands + 1, engagementBands + 1];
        var sqls = new int[fitBands + 1, engagementBands + 1];
        for (var f = fitBands - 1; f >= 0; f--)
        {
            for (var e = engagementBands - 1; e >= 0; e--)
            {
                mqls[f, e] = _eligible[f, e] + mqls[f + 1, e] + mqls[f, e + 1] - mqls[f + 1, e + 1];
                sqls[f, e] = _eligibleToSql[f, e] + sqls[f + 1, e] + sqls[f, e + 1] - sqls[f + 1, e + 1];
            }
        }

        var pairs = new List<Pair>(fitBands * engagementBands);
        for (var f = 0; f < fitBands; f++)
        {
            for (var e = 0; e < engagementBands; e++)
            {
                pairs.Add(new Pair(f * _bandWidth, e * _bandWidth, new StepRate(mqls[f, e], sqls[f, e])));
            }
        }

        return pairs;
    }

    /// <summary>The best pair; among equals, the first in grid order.</summary>
    private static Pair Best(List<Pair> pairs, Func<Pair, Pair, bool> isBetter)
    {
        var best = pairs[0];
        foreach (var pair in pairs.Skip(1))
        {
            if (isBetter(pair, best))
            {
                best = pair;
            }
        }

        return best;
    }

    private readonly record struct Pair(int Fit, int Engagement, StepRate Rate);
}
