namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// The insights analysis: which rules, sources and offers predict SQLs and customers, conversion by fit × engagement, the MQL
/// thresholds that would reach a target, suggested points, and a candidate policy against the current one. Pure computation.
/// </summary>
/// <remarks>
/// <para>
/// Each contact is seen as it was at its cut-off. Its scores and fired rules come from what the worker recorded when it qualified it
/// (<see cref="InsightContact.AtMql"/>, or <see cref="InsightContact.AtSql"/> for a contact qualified straight to SQL) when that was
/// recorded by the analysed policy's version; otherwise the policy evaluates <see cref="InsightContact.AtCutoff"/> at
/// <see cref="InsightContact.Cutoff"/> (so engagement decays as of then). The candidate is always evaluated.
/// </para>
/// <para>
/// Evaluations leave out the lifecycle stage and the worker's own output properties (MQL date, below-threshold date...): a contact
/// cut off at the moment it was qualified already shows that stage, and a policy never moves a stage backwards, so with them every
/// policy would "make" every qualified contact an MQL. Without them, a policy's status is what the contact's data supports.
/// </para>
/// <para>
/// Outcomes come from <see cref="InsightContact.Entered"/>; a later stage counts as having passed the earlier ones. Eligible per step:
/// every contact for lead→MQL, those that reached MQL (or beyond) for MQL→SQL, SQL (or beyond) for SQL→opportunity, and qualified
/// contacts (an MQL or SQL date) for →customer. Lifts are rate ratios with Katz 95 % intervals (see <see cref="Lift"/>).
/// </para>
/// </remarks>
public static class InsightsAnalyzer
{
    /// <summary>
    /// Eligible contacts needed on each side of the MQL→SQL and →customer steps before a signal is judged (<see cref="SignalLift.EnoughData"/>):
    /// below it, a signal is "not enough data", never "does not predict", and gets no points suggestion.
    /// </summary>
    public const int MinimumEligible = 30;

    /// <summary>Contacts a source or offer needs to be reported on its own; rarer ones are counted together as <see cref="OtherGroup"/>.</summary>
    public const int MinimumGroupContacts = 30;

    /// <summary>The name of the group of rare sources or offers.</summary>
    public const string OtherGroup = "(other)";

    /// <summary>The name of the group of contacts with no source or no offer.</summary>
    public const string NoValue = "(none)";

    /// <summary>Analyses <paramref name="contacts"/> under <paramref name="policy"/>, and against <paramref name="candidate"/> when given.</summary>
    /// <param name="contacts">The contacts, each as it was at its cut-off.</param>
    /// <param name="policy">The current policy: the rules measured, the thresholds drawn, the points suggested from.</param>
    /// <param name="request">Targets and band width.</param>
    /// <param name="analysedAt">When the analysis runs (reported as is).</param>
    /// <param name="candidate">A policy to compare with the current one on the same contacts, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The band width is below 1, the target rate outside 0–1 or the target volume negative.</exception>
    public static InsightsReport Analyze(
        IReadOnlyList<InsightContact> contacts,
        QualificationPolicy policy,
        InsightsRequest request,
        DateTimeOffset analysedAt,
        QualificationPolicy? candidate = null)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);

        var rules = new PolicyRules(policy);
        var options = policy.Options;
        var all = new FunnelCounts();
        var perRule = new FunnelCounts[rules.Count];
        var perSource = new Dictionary<string, FunnelCounts>(StringComparer.OrdinalIgnoreCase);
        var perOffer = new Dictionary<string, FunnelCounts>(StringComparer.OrdinalIgnoreCase);
        var grid = new ScoreGrid(request.BandWidth, options.Fit.MaxScore, options.Engagement.MaxScore, options.Mql.MinFit, options.Mql.MinEngagement);
        var currentView = new StageNeutralView(policy);
        var candidateView = candidate is null ? null : new StageNeutralView(candidate);
        var currentOutcome = new PolicyTally();
        var candidateOutcome = new PolicyTally();
        var fired = new bool[rules.Count];

        foreach (var contact in contacts)
        {
            ArgumentNullException.ThrowIfNull(contact, nameof(contacts));
            var outcome = Outcome.Of(contact.Entered);
            all.Add(in outcome);
            var seen = Observe(contact, policy, rules, currentView, fired);
            for (var i = 0; i < fired.Length; i++)
            {
                if (fired[i])
                {
                    (perRule[i] ??= new FunnelCounts()).Add(in outcome);
                }
            }

            GroupOf(perSource, contact.OriginalSource).Add(in outcome);
            GroupOf(perOffer, contact.FirstOffer).Add(in outcome);
            grid.Add(seen.Fit, seen.Engagement, seen.Disqualified, in outcome);
            currentOutcome.Add(seen.Qualifies, in outcome);
            if (candidate is not null)
            {
                var decision = candidate.Evaluate(candidateView!.Of(contact.AtCutoff), contact.Cutoff);
                candidateOutcome.Add(Qualifies(decision.Status), in outcome);
            }
        }

        var ruleLifts = new List<SignalLift>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (perRule[i] is { } with)
            {
                ruleLifts.Add(LiftOf(SignalKind.Rule, rules.All[i].Id, with, all));
            }
        }

        List<ThresholdSuggestion> thresholds = [grid.ForRate(request.TargetMqlToSqlRate, MinimumEligible)];
        if (request.TargetMqlVolume is { } volume)
        {
            thresholds.Add(grid.ForVolume(volume));
        }

        return new InsightsReport(
            analysedAt,
            policy.Version,
            all.Contacts,
            FunnelCounts.Steps.ToDictionary(step => step, all.Rate),
            ruleLifts,
            GroupLifts(SignalKind.Source, perSource, all),
            GroupLifts(SignalKind.Offer, perOffer, all),
            grid.Calibration(),
            thresholds,
            PointsAdvisor.Suggest(rules, ruleLifts),
            candidate is null ? null : new PolicyComparison(currentOutcome.Of(policy.Version), candidateOutcome.Of(candidate.Version)));
    }

    private static void Validate(InsightsRequest request)
    {
        if (request.BandWidth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.BandWidth, "BandWidth must be at least 1 point.");
        }

        if (!(request.TargetMqlToSqlRate is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.TargetMqlToSqlRate, "TargetMqlToSqlRate must be between 0 and 1.");
        }

        if (request.TargetMqlVolume is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.TargetMqlVolume, "TargetMqlVolume cannot be negative.");
        }
    }

    /// <summary>The contact's scores and fired rules at its cut-off (recorded when trustworthy, evaluated otherwise); fills <paramref name="fired"/>.</summary>
    private static Observation Observe(InsightContact contact, QualificationPolicy policy, PolicyRules rules, StageNeutralView view, bool[] fired)
    {
        Array.Clear(fired);
        if (RecordedAtCutoff(contact) is { } recorded && recorded.PolicyVersion == policy.Version)
        {
            foreach (var id in recorded.Rules)
            {
                Mark(rules, fired, id);
            }

            // The worker recorded these scores because it qualified the contact with this very policy.
            return new Observation(recorded.Fit, recorded.Engagement, Disqualified(rules, fired), Qualifies: true);
        }

        var decision = policy.Evaluate(view.Of(contact.AtCutoff), contact.Cutoff);
        foreach (var rule in decision.FiredRules)
        {
            Mark(rules, fired, rule.RuleId);
        }

        return new Observation(decision.FitScore, decision.EngagementScore, Disqualified(rules, fired), Qualifies(decision.Status));
    }

    /// <summary>What the worker recorded at the cut-off: at SQL for a contact qualified straight to SQL (no MQL date, or an SQL date first), else at MQL.</summary>
    private static RecordedScores? RecordedAtCutoff(InsightContact contact) =>
        contact.Entered is { Sql: { } sql } entered && (entered.Mql is not { } mql || sql < mql || (sql == mql && contact.AtMql is null))
            ? contact.AtSql
            : contact.AtMql;

    private static void Mark(PolicyRules rules, bool[] fired, string id)
    {
        var index = rules.IndexOf(id);
        if (index >= 0)
        {
            fired[index] = true;
        }
    }

    private static bool Disqualified(PolicyRules rules, bool[] fired)
    {
        for (var i = 0; i < fired.Length; i++)
        {
            if (fired[i] && rules.All[i].Role == RuleRole.Disqualifier)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Qualifies(QualificationStatus status) => status is >= QualificationStatus.Mql and <= QualificationStatus.Evangelist;

    private static FunnelCounts GroupOf(Dictionary<string, FunnelCounts> groups, string? value)
    {
        var key = string.IsNullOrWhiteSpace(value) ? NoValue : value.Trim();
        if (!groups.TryGetValue(key, out var counts))
        {
            counts = new FunnelCounts();
            groups[key] = counts;
        }

        return counts;
    }

    /// <summary>One lift per group with enough contacts, the rare ones together as <see cref="OtherGroup"/> (last); by count descending, then name.</summary>
    private static List<SignalLift> GroupLifts(SignalKind kind, Dictionary<string, FunnelCounts> groups, FunnelCounts all)
    {
        var lifts = groups.Where(g => g.Value.Contacts >= MinimumGroupContacts)
            .OrderByDescending(g => g.Value.Contacts).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => LiftOf(kind, g.Key, g.Value, all))
            .ToList();
        var rare = groups.Values.Where(g => g.Contacts < MinimumGroupContacts).ToList();
        if (rare.Count > 0)
        {
            var other = new FunnelCounts();
            foreach (var group in rare)
            {
                other.Add(group);
            }

            lifts.Add(LiftOf(kind, OtherGroup, other, all));
        }

        return lifts;
    }

    private static SignalLift LiftOf(SignalKind kind, string name, FunnelCounts with, FunnelCounts all)
    {
        var steps = FunnelCounts.Steps.Select(step =>
        {
            var withRate = with.Rate(step);
            var withoutRate = with.RateOfRest(all, step);
            return new StepComparison(step, withRate, withoutRate, RateRatio.Katz(withRate.Converted, withRate.Eligible, withoutRate.Converted, withoutRate.Eligible));
        }).ToList();
        var judged = steps.Where(s => s.Step is FunnelStep.MqlToSql or FunnelStep.QualifiedToCustomer).ToList();
        var enough = judged.All(s => s.With.Eligible >= MinimumEligible && s.Without.Eligible >= MinimumEligible);
        var doesNotPredict = enough && judged.All(s => s.Lift is { IncludesNoEffect: true });
        return new SignalLift(kind, name, with.Contacts, steps, doesNotPredict) { EnoughData = enough };
    }

    private readonly record struct Observation(int Fit, int Engagement, bool Disqualified, bool Qualifies);

    /// <summary>What one policy would have done: its MQLs, how many of them became SQL and customer, and the SQLs it missed.</summary>
    private sealed class PolicyTally
    {
        private int _mqls;
        private int _becameSql;
        private int _becameCustomer;
        private int _missedSqls;

        public void Add(bool qualifies, in Outcome outcome)
        {
            if (qualifies)
            {
                _mqls++;
                _becameSql += outcome.ReachedSql ? 1 : 0;
                _becameCustomer += outcome.ReachedCustomer ? 1 : 0;
            }
            else if (outcome.ReachedSql)
            {
                _missedSqls++;
            }
        }

        public PolicyOutcome Of(string version) => new(version, _mqls, _becameSql, _becameCustomer, _missedSqls);
    }
}
