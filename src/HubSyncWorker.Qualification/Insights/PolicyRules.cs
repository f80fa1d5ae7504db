namespace HubSyncWorker.Qualification.Insights;

/// <summary>What a rule does in the policy.</summary>
internal enum RuleRole
{
    Fit,
    Engagement,
    Disqualifier,
}

/// <summary>A rule of the analysed policy, as the analysis needs it.</summary>
/// <param name="Id">The rule id.</param>
/// <param name="Role">Fit, engagement or disqualifier.</param>
/// <param name="Points">Its points (0 for a disqualifier).</param>
/// <param name="SetMaxScore">The maximum score of its score set: suggested points stay within it.</param>
internal sealed record PolicyRule(string Id, RuleRole Role, int Points, int SetMaxScore);

/// <summary>
/// The policy's scoring rules and disqualifiers in policy order (fit rules, engagement rules, disqualifiers, as the policy lists them;
/// advocacy signals are left out: they fire on customers only), with the index of each id.
/// </summary>
internal sealed class PolicyRules
{
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.OrdinalIgnoreCase);

    public PolicyRules(QualificationPolicy policy)
    {
        var options = policy.Options;
        var rules = new List<PolicyRule>();
        rules.AddRange(options.Fit.Rules.Select(r => new PolicyRule(r.Id!, RuleRole.Fit, r.Points, options.Fit.MaxScore)));
        rules.AddRange(options.Engagement.Rules.Select(r => new PolicyRule(r.Id!, RuleRole.Engagement, r.Points, options.Engagement.MaxScore)));
        rules.AddRange(options.Disqualifiers.Select(r => new PolicyRule(r.Id!, RuleRole.Disqualifier, 0, 0)));
        All = rules;
        for (var i = 0; i < rules.Count; i++)
        {
            _indexOf.TryAdd(rules[i].Id, i);
        }
    }

    public IReadOnlyList<PolicyRule> All { get; }

    public int Count => All.Count;

    /// <summary>The index of <paramref name="id"/>, or −1 for an id that is not one of these rules (an advocacy signal).</summary>
    public int IndexOf(string id) => _indexOf.TryGetValue(id, out var index) ? index : -1;
}
