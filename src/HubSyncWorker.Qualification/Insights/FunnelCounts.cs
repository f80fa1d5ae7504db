namespace HubSyncWorker.Qualification.Insights;

/// <summary>Where a contact went, read from its stage entries: a later stage counts as having passed the earlier ones.</summary>
internal readonly record struct Outcome(bool ReachedMql, bool ReachedSql, bool ReachedOpportunity, bool ReachedCustomer, bool Qualified)
{
    public static Outcome Of(StageEntryDates entered)
    {
        var customer = entered.Customer is not null;
        var opportunity = customer || entered.Opportunity is not null;
        var sql = opportunity || entered.Sql is not null;
        var mql = sql || entered.Mql is not null;
        return new Outcome(mql, sql, opportunity, customer, entered.Qualified is not null);
    }

    /// <summary>Whether the contact could take <paramref name="step"/>.</summary>
    public bool Eligible(FunnelStep step) => step switch
    {
        FunnelStep.LeadToMql => true,
        FunnelStep.MqlToSql => ReachedMql,
        FunnelStep.SqlToOpportunity => ReachedSql,
        FunnelStep.QualifiedToCustomer => Qualified,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    /// <summary>Whether the contact took <paramref name="step"/> (meaningful when <see cref="Eligible"/>).</summary>
    public bool Converted(FunnelStep step) => step switch
    {
        FunnelStep.LeadToMql => ReachedMql,
        FunnelStep.MqlToSql => ReachedSql,
        FunnelStep.SqlToOpportunity => ReachedOpportunity,
        FunnelStep.QualifiedToCustomer => ReachedCustomer,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };
}

/// <summary>Eligible and converted contacts per funnel step, for one group of contacts.</summary>
internal sealed class FunnelCounts
{
    public static readonly FunnelStep[] Steps = Enum.GetValues<FunnelStep>();

    private readonly int[] _eligible = new int[Steps.Length];
    private readonly int[] _converted = new int[Steps.Length];

    /// <summary>Contacts counted.</summary>
    public int Contacts { get; private set; }

    public void Add(in Outcome outcome)
    {
        Contacts++;
        foreach (var step in Steps)
        {
            if (outcome.Eligible(step))
            {
                _eligible[(int)step]++;
                if (outcome.Converted(step))
                {
                    _converted[(int)step]++;
                }
            }
        }
    }

    public void Add(FunnelCounts other)
    {
        Contacts += other.Contacts;
        for (var i = 0; i < _eligible.Length; i++)
        {
            _eligible[i] += other._eligible[i];
            _converted[i] += other._converted[i];
        }
    }

    public StepRate Rate(FunnelStep step) => new(_eligible[(int)step], _converted[(int)step]);

    /// <summary>The contacts of <paramref name="all"/> not in this group (this group is a subset of it).</summary>
    public StepRate RateOfRest(FunnelCounts all, FunnelStep step) =>
        new(all._eligible[(int)step] - _eligible[(int)step], all._converted[(int)step] - _converted[(int)step]);
}
