using System.Globalization;
using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification;

/// <summary>A policy that failed validation; <see cref="Errors"/> lists every problem.</summary>
public sealed class PolicyValidationException : Exception
{
    public PolicyValidationException(IReadOnlyList<PolicyError> errors)
        : base("Invalid qualification policy:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public PolicyValidationException()
        : this([])
    {
    }

    public PolicyValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every validation error.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }
}

/// <summary>Names of the output properties (prefix + fixed suffix).</summary>
public sealed record OutputPropertyNames(
    string FitScore,
    string EngagementScore,
    string Score,
    string Status,
    string Reason,
    string MqlDate,
    string SourceBucket,
    string PolicyVersion,
    string BelowThresholdSince,
    string ConversionHistory);

/// <summary>
/// A compiled, immutable qualification policy. <see cref="Evaluate"/> is pure and deterministic (time is a parameter)
/// and safe to call from many threads at once.
/// </summary>
public sealed class QualificationPolicy
{
    private const int Contact = 0;
    private const int Lead = 1;
    private const int Mql = 2;
    private const int Sql = 3;
    private const int Opportunity = 4;
    private const int Customer = 5;
    private const int Evangelist = 6;
    private const int NoStage = -1;
    private const int DecayTableDays = 366;

    private readonly CompiledRule[] _rules;
    private readonly string[] _ruleIds;
    private readonly int _fitEnd;
    private readonly int _engagementEnd;
    private readonly int _disqualifierEnd;
    private readonly int _fitMax;
    private readonly int _engagementMax;
    private readonly double _halfLife;
    private readonly double[] _decayByDay;
    private readonly string[] _lastEngagementProperties;
    private readonly double _fitWeight;
    private readonly double _engagementWeight;
    private readonly string _lifecycleProperty;
    private readonly bool _allowRegression;
    private readonly string[] _levelStage;
    private readonly StringTable<int> _stageLevel;
    private readonly string _conversionCountProperty;
    private readonly int _minConversions;
    private readonly int _mqlMinFit;
    private readonly int _mqlMinEngagement;
    private readonly int _sqlMinFit;
    private readonly KeywordMatcher _conversionMatcher;
    private readonly (int Bit, System.Text.RegularExpressions.Regex Pattern)[] _conversionPatterns;
    private readonly ulong _fitConversionMask;
    private readonly ulong _engagementConversionMask;
    private readonly ulong _handRaiserMask;
    private readonly StringTable<bool> _sqlLeadStatuses;
    private readonly string _dealsProperty;
    private readonly int _minDeals;
    private readonly string _budgetProperty;
    private readonly double _minBudget;
    private readonly string _timelineProperty;
    private readonly double _maxTimeline;
    private readonly int _recycleWindowDays;
    private readonly string _leadStatusProperty;
    private readonly bool _manageLeadStatus;
    private readonly string _newStatus;
    private readonly string _openStatus;
    private readonly string _unqualifiedStatus;
    private readonly StringTable<bool> _salesOwned;
    private readonly string _sourceProperty;
    private readonly string _offerProperty;
    private readonly StringTable<int> _sourceIndex;
    private readonly int _otherSourceIndex;
    private readonly int _unknownSourceIndex;
    private readonly KeywordMatcher _offerMatcher;
    private readonly int _offerShift = -1;
    private readonly int _otherOfferIndex;
    private readonly int _noOfferIndex;
    private readonly string[,] _buckets;
    private readonly StringTable<int> _slotOf;
    private readonly string[] _slotNames;
    private readonly int[] _lastEngagementSlots;
    private readonly int _lifecycleSlot;
    private readonly int _leadStatusSlot;
    private readonly int _mqlDateSlot;
    private readonly int _belowSinceSlot;
    private readonly int _conversionCountSlot;
    private readonly int _dealsSlot;
    private readonly int _budgetSlot;
    private readonly int _timelineSlot;
    private readonly int _sourceSlot;
    private readonly int _offerSlot;
    private readonly string[] _headers;
    private readonly PropertyMatch[] _propertyMatches;
    private readonly string?[] _ruleHeaders;

    private QualificationPolicy(QualificationPolicyOptions options)
    {
        Options = options;
        Version = PolicyLoader.ComputeVersion(options);

        // Within a score set, plain rules run first, then OtherConversions (needs the matched conversions), then AllOf combinations.
        var rules = new List<CompiledRule>();
        rules.AddRange(options.Fit.Rules.Select(r => new CompiledRule(r)).OrderBy(r => r.Pass));
        _fitEnd = rules.Count;
        rules.AddRange(options.Engagement.Rules.Select(r => new CompiledRule(r)).OrderBy(r => r.Pass));
        _engagementEnd = rules.Count;
        ResolveAllOf(rules, 0, _fitEnd);
        ResolveAllOf(rules, _fitEnd, _engagementEnd);
        rules.AddRange(options.Disqualifiers.Select(r => new CompiledRule(r)));
        _disqualifierEnd = rules.Count;
        rules.AddRange(options.Evangelist.Signals.Select(r => new CompiledRule(r)));
        _rules = [.. rules];
        _ruleIds = [.. rules.Select(r => r.Id)];

        _fitMax = options.Fit.MaxScore;
        _engagementMax = options.Engagement.MaxScore;
        _halfLife = options.Engagement.DecayHalfLifeDays;

        // The decay factor for each whole day of inactivity up to a year, so most evaluations read it instead of calling
        // Math.Pow (the same expression, so the same values).
        _decayByDay = _halfLife > 0 ? [.. Enumerable.Range(0, DecayTableDays).Select(days => Math.Pow(0.5, days / _halfLife))] : [];
        _lastEngagementProperties = [.. options.Engagement.LastEngagementProperties.Select(p => p.Trim())];
        _fitWeight = options.Score.FitWeight;
        _engagementWeight = options.Score.EngagementWeight;

        var lifecycle = options.Lifecycle;
        _lifecycleProperty = lifecycle.Property;
        _allowRegression = lifecycle.AllowRegression;
        LifecycleOrder = lifecycle.Order is { Count: > 0 } ? [.. lifecycle.Order] : [.. PolicyValidator.DefaultLifecycleOrder];
        _levelStage = [lifecycle.Stages.Contact, lifecycle.Stages.Lead, lifecycle.Stages.Mql, lifecycle.Stages.Sql,
            lifecycle.Stages.Opportunity, lifecycle.Stages.Customer, lifecycle.Stages.Evangelist];
        var stageLevel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var level = 0; level < _levelStage.Length; level++)
        {
            stageLevel[_levelStage[level]] = level;
        }

        _stageLevel = new StringTable<int>(stageLevel, ignoreCase: false);

        _conversionCountProperty = options.Lead.ConversionCountProperty;
        _minConversions = options.Lead.MinConversions;
        _mqlMinFit = options.Mql.MinFit;
        _mqlMinEngagement = options.Mql.MinEngagement;
        _sqlMinFit = options.Sql.MinFit;

        // One matcher for every conversion keyword: each conversion name is scanned once per evaluation, giving a bit mask
        // (one bit per Conversion rule, plus one for the hand-raiser keywords).
        var groups = new List<IEnumerable<string>>();
        var patterns = new List<(int, System.Text.RegularExpressions.Regex)>();
        for (var i = 0; i < _engagementEnd; i++)
        {
            if (_rules[i].Kind != RuleKind.Conversion)
            {
                continue;
            }

            var bit = groups.Count;
            _rules[i].ConversionBit = bit;
            groups.Add(_rules[i].Keywords);
            if (_rules[i].Pattern is { } pattern)
            {
                patterns.Add((bit, pattern));
            }

            if (i < _fitEnd)
            {
                _fitConversionMask |= 1UL << bit;
            }
            else
            {
                _engagementConversionMask |= 1UL << bit;
            }
        }

        _handRaiserMask = 1UL << groups.Count;
        groups.Add(options.Sql.HandRaiserKeywords);

        // The offer buckets ride along in the same masks when they fit, so the converting offer (usually the first
        // conversion) costs no second scan.
        if (groups.Count + options.SourceBucket.Offers.Count <= 64)
        {
            _offerShift = groups.Count;
            groups.AddRange(options.SourceBucket.Offers.Select(o => (IEnumerable<string>)o.Keywords));
        }

        _conversionMatcher = new KeywordMatcher(groups);
        _conversionPatterns = [.. patterns];
        _sqlLeadStatuses = new StringTable<bool>(options.Sql.LeadStatuses.Select(s => KeyValuePair.Create(s.Trim(), true)), ignoreCase: true);
        _dealsProperty = options.Opportunity.DealsProperty;
        _minDeals = options.Opportunity.MinDeals;
        _budgetProperty = options.Opportunity.BudgetProperty;
        _minBudget = options.Opportunity.MinBudget;
        _timelineProperty = options.Opportunity.TimelineProperty;
        _maxTimeline = options.Opportunity.MaxTimelineMonths;
        _recycleWindowDays = options.Recycle.WindowDays;

        var leadStatus = options.LeadStatus;
        _leadStatusProperty = leadStatus.Property;
        _manageLeadStatus = leadStatus.Manage;
        _newStatus = leadStatus.NewValue;
        _openStatus = leadStatus.OpenValue;
        _unqualifiedStatus = leadStatus.UnqualifiedValue;
        _salesOwned = new StringTable<bool>(leadStatus.SalesOwned.Select(s => KeyValuePair.Create(s.Trim(), true)), ignoreCase: true);

        // Every source × offer bucket string is built here once, so Evaluate only indexes a table.
        var bucket = options.SourceBucket;
        _sourceProperty = bucket.SourceProperty;
        _offerProperty = bucket.OfferProperty;
        var sourceNames = bucket.Sources.Values.Select(v => v.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        sourceNames.Add(bucket.OtherSource);
        sourceNames.Add(bucket.UnknownSource);
        _otherSourceIndex = sourceNames.Count - 2;
        _unknownSourceIndex = sourceNames.Count - 1;
        _sourceIndex = new StringTable<int>(
            bucket.Sources.ToDictionary(p => p.Key.Trim(), p => sourceNames.IndexOf(p.Value.Trim()), StringComparer.OrdinalIgnoreCase), ignoreCase: true);
        _offerMatcher = new KeywordMatcher([.. bucket.Offers.Select(o => (IEnumerable<string>)o.Keywords)]);
        var offerNames = bucket.Offers.Select(o => o.Bucket!.Trim()).ToList();
        offerNames.Add(bucket.OtherOffer);
        offerNames.Add(bucket.NoOffer);
        _otherOfferIndex = offerNames.Count - 2;
        _noOfferIndex = offerNames.Count - 1;
        _buckets = new string[sourceNames.Count, offerNames.Count];
        for (var s = 0; s < sourceNames.Count; s++)
        {
            for (var o = 0; o < offerNames.Count; o++)
            {
                _buckets[s, o] = sourceNames[s] + ":" + offerNames[o];
            }
        }

        var prefix = options.Output.Prefix;
        OutputNames = new OutputPropertyNames(
            prefix + "fit_score", prefix + "engagement_score", prefix + "score", prefix + "status", prefix + "reason",
            prefix + "mql_date", prefix + "source_bucket", prefix + "policy_version", prefix + "below_threshold_since",
            prefix + "conversion_history");
        OutputGroupName = options.Output.GroupName;
        OutputGroupLabel = options.Output.GroupLabel;
        OutputProperties = BuildOutputProperties(OutputNames);

        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            required.UnionWith(rule.ReadProperties);
        }

        required.UnionWith(_lastEngagementProperties);
        required.UnionWith([_lifecycleProperty, _leadStatusProperty, _conversionCountProperty, _dealsProperty, _budgetProperty,
            _timelineProperty, _sourceProperty, _offerProperty, OutputNames.FitScore, OutputNames.EngagementScore, OutputNames.Score,
            OutputNames.Status, OutputNames.Reason, OutputNames.MqlDate, OutputNames.SourceBucket, OutputNames.PolicyVersion,
            OutputNames.BelowThresholdSince, OutputNames.ConversionHistory]);
        RequiredProperties = [.. required];

        // Every property the evaluation reads gets a slot: a contact's values are gathered once per evaluation, so each
        // rule reads an array element instead of hashing a property name.
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in RequiredProperties)
        {
            slotOf[name] = slotOf.Count;
        }

        _slotNames = [.. RequiredProperties];
        _slotOf = new StringTable<int>(_slotNames.Select((name, slot) => KeyValuePair.Create(name, slot)), ignoreCase: false);
        foreach (var rule in _rules)
        {
            rule.ResolveSlots(name => slotOf[name]);
        }

        _lastEngagementSlots = [.. _lastEngagementProperties.Select(p => slotOf[p])];
        _propertyMatches = BuildPropertyMatches(_rules);
        _lifecycleSlot = slotOf[_lifecycleProperty];
        _leadStatusSlot = slotOf[_leadStatusProperty];
        _mqlDateSlot = slotOf[OutputNames.MqlDate];
        _belowSinceSlot = slotOf[OutputNames.BelowThresholdSince];
        _conversionCountSlot = slotOf[_conversionCountProperty];
        _dealsSlot = slotOf[_dealsProperty];
        _budgetSlot = slotOf[_budgetProperty];
        _timelineSlot = slotOf[_timelineProperty];
        _sourceSlot = slotOf[_sourceProperty];
        _offerSlot = slotOf[_offerProperty];
        HistoryProperties = [ContactSnapshot.ConversionHistoryProperty];

        // The start of every reason ("MQL (fit and engagement meet the MQL test): fit "), one per status and cause, and one per
        // disqualifier and advocacy signal, so a reason is a few appends of ready-made pieces.
        var statuses = Enum.GetValues<QualificationStatus>();
        _headers = new string[statuses.Length * CauseTexts.Length];
        foreach (var status in statuses)
        {
            for (var cause = 0; cause < CauseTexts.Length; cause++)
            {
                _headers[((int)status * CauseTexts.Length) + cause] = CauseTexts[cause].Length > 0
                    ? $"{status.ToLabel()} ({CauseTexts[cause]}): fit "
                    : $"{status.ToLabel()}: fit ";
            }
        }

        _ruleHeaders = new string?[_rules.Length];
        for (var i = _engagementEnd; i < _rules.Length; i++)
        {
            _ruleHeaders[i] = RuleHeader(i < _disqualifierEnd ? QualificationStatus.Disqualified : QualificationStatus.Evangelist, _rules[i]);
        }
    }

    /// <summary>The effective options this policy was compiled from (do not mutate).</summary>
    public QualificationPolicyOptions Options { get; }

    /// <summary>Stable version of the effective policy: first 12 hex chars of SHA-256 over its canonical JSON.</summary>
    public string Version { get; }

    /// <summary>Every HubSpot property the policy reads (rules, stage tests, lifecycle, lead status and its own outputs), sorted.</summary>
    public IReadOnlyList<string> RequiredProperties { get; }

    /// <summary>Properties to request with history (<c>propertiesWithHistory</c>).</summary>
    public IReadOnlyList<string> HistoryProperties { get; }

    /// <summary>The lifecycle stage order in effect.</summary>
    public IReadOnlyList<string> LifecycleOrder { get; }

    /// <summary>Names of the output properties.</summary>
    public OutputPropertyNames OutputNames { get; }

    /// <summary>The property holding the lifecycle stage (<c>Lifecycle:Property</c>, <c>lifecyclestage</c> by default).</summary>
    public string LifecycleProperty => _lifecycleProperty;

    /// <summary>The output property group's internal name.</summary>
    public string OutputGroupName { get; }

    /// <summary>The output property group's label.</summary>
    public string OutputGroupLabel { get; }

    /// <summary>Definitions of the output properties, for the property bootstrap.</summary>
    public IReadOnlyList<OutputPropertyDefinition> OutputProperties { get; }

    /// <summary>Validates and compiles <paramref name="options"/>.</summary>
    /// <exception cref="PolicyValidationException">The policy is invalid; every error is listed.</exception>
    public static QualificationPolicy Compile(QualificationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PolicyValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        return new QualificationPolicy(options);
    }

    /// <summary>The embedded default policy, compiled.</summary>
    public static QualificationPolicy CompileDefault() => Compile(PolicyLoader.LoadDefault());

    /// <summary>Evaluates one contact at <paramref name="now"/>. Pure: no I/O, no clock, no shared state.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public QualificationDecision Evaluate(ContactSnapshot contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var buffer = default(PropertyValues);
        Span<string?> values = _slotNames.Length <= PropertyValues.Capacity ? buffer : new string?[_slotNames.Length];
        values = values[.._slotNames.Length];
        GatherValues(contact.Properties, values);
        Span<FiredEntry> firedRules = stackalloc FiredEntry[_rules.Length];
        Span<bool> ruleFired = stackalloc bool[_rules.Length];
        ruleFired.Clear(); // read by AllOf rules for rules that did not fire (the other buffers are read only where written)
        Span<bool> textMatched = stackalloc bool[_rules.Length];
        MatchProperties(values, textMatched);
        var fired = 0;

        // Each conversion name is matched once against every conversion keyword and pattern.
        var names = contact.ConversionNames;
        var nameCount = names.Count;
        Span<ulong> masks = nameCount <= 128 ? stackalloc ulong[nameCount] : new ulong[nameCount];
        var handRaiser = false;
        for (var i = 0; i < masks.Length; i++)
        {
            var name = names[i] ?? string.Empty;
            var mask = _conversionMatcher.Match(name);
            foreach (var (bit, pattern) in _conversionPatterns)
            {
                if (pattern.IsMatch(name))
                {
                    mask |= 1UL << bit;
                }
            }

            masks[i] = mask;
            handRaiser |= (mask & _handRaiserMask) != 0;
        }

        var fitRaw = ScoreSet(values, nameCount, now, 0, _fitEnd, _fitConversionMask, masks, textMatched, ruleFired, firedRules, ref fired, out _);
        var fitFired = fired;
        var fit = Math.Clamp(fitRaw, 0, _fitMax);
        var engagementRaw = ScoreSet(values, nameCount, now, _fitEnd, _engagementEnd, _engagementConversionMask, masks, textMatched, ruleFired, firedRules, ref fired, out var positiveEngagement);
        var scoredFired = fired;

        var lastEngagement = LatestDate(values, _lastEngagementSlots);
        var decayFactor = 1.0;
        if (_halfLife > 0 && lastEngagement is { } last && now > last)
        {
            // Decay counts whole UTC days: scores change at most once a day, so a resync right after another writes nothing,
            // instead of nudging a rounded engagement score by one point every few hours.
            var days = (now.UtcDateTime.Date - last.UtcDateTime.Date).Days;
            decayFactor = (uint)days < (uint)_decayByDay.Length ? _decayByDay[days] : Math.Pow(0.5, days / _halfLife);
        }

        var engagement = engagementRaw <= 0 ? 0 : (int)Math.Min(_engagementMax, Math.Round(engagementRaw * decayFactor, MidpointRounding.AwayFromZero));
        var score = (int)Math.Clamp(Math.Round((_fitWeight * fit) + (_engagementWeight * engagement), MidpointRounding.AwayFromZero), 0, 100);

        // Disqualifiers (points ignored).
        var disqualifiedBy = -1;
        for (var i = _engagementEnd; i < _disqualifierEnd; i++)
        {
            if (Fires(i, values, nameCount, now, textMatched[i]))
            {
                disqualifiedBy = disqualifiedBy < 0 ? i : disqualifiedBy;
                firedRules[fired++] = new FiredEntry(i, 0, 0);
            }
        }

        // Where HubSpot has the contact now.
        var currentStage = values[_lifecycleSlot];
        var currentLevel = NoStage;
        var locked = false;
        if (!string.IsNullOrEmpty(currentStage))
        {
            if (!_stageLevel.TryGetValue(currentStage, out currentLevel))
            {
                // A stage the worker does not own ("other", or one not in the order): never touched.
                locked = true;
                currentLevel = NoStage;
            }
        }

        var leadStatus = values[_leadStatusSlot].AsSpan().Trim();
        var existingMqlDate = HubSpotValues.ParseDate(values[_mqlDateSlot]);

        // What the data supports.
        var conversions = Math.Max(nameCount, Count(values[_conversionCountSlot]));
        var computed = Contact;
        var cause = CauseNone;
        if ((_minConversions > 0 && conversions >= _minConversions) || positiveEngagement)
        {
            computed = Lead;
            cause = CauseLead;
        }

        var mqlTest = fit >= _mqlMinFit && engagement >= _mqlMinEngagement;
        if (mqlTest)
        {
            computed = Mql;
            cause = CauseMql;
        }

        if (fit >= _sqlMinFit && handRaiser)
        {
            computed = Sql;
            cause = CauseHandRaiser;
        }
        else if (!leadStatus.IsEmpty && _sqlLeadStatuses.ContainsKey(leadStatus) && (mqlTest || currentLevel >= Mql))
        {
            computed = Sql;
            cause = CauseSalesConnected;
        }

        var deals = Math.Max(contact.AssociatedDealCount ?? 0, Count(values[_dealsSlot]));
        if (deals >= _minDeals)
        {
            computed = Opportunity;
            cause = CauseDeal;
        }
        else if ((computed >= Sql || currentLevel >= Sql)
            && HubSpotValues.TryParseNumber(values[_budgetSlot], out var budget) && budget >= _minBudget
            && HubSpotValues.TryParseNumber(values[_timelineSlot], out var timeline) && timeline >= 0 && timeline <= _maxTimeline)
        {
            computed = Opportunity;
            cause = CauseBudget;
        }

        QualificationStatus status;
        string? target = null;
        var regression = false;
        string? leadStatusToSet = null;
        DateOnly? belowSince = null;
        var advocacyRule = -1;

        if (!locked && currentLevel >= Customer)
        {
            // Customers stay customers; an advocacy signal makes them evangelists.
            for (var i = _disqualifierEnd; i < _rules.Length; i++)
            {
                if (Fires(i, values, nameCount, now, textMatched[i]))
                {
                    advocacyRule = advocacyRule < 0 ? i : advocacyRule;
                    firedRules[fired++] = new FiredEntry(i, 0, 0);
                }
            }

            if (currentLevel == Customer && advocacyRule >= 0)
            {
                status = QualificationStatus.Evangelist;
                target = _levelStage[Evangelist];
                cause = CauseAdvocacy;
            }
            else
            {
                status = currentLevel == Evangelist ? QualificationStatus.Evangelist : QualificationStatus.Customer;
                cause = CauseInHubSpot;
            }
        }
        else if (disqualifiedBy >= 0)
        {
            status = QualificationStatus.Disqualified;
            cause = CauseNone;
            if (_manageLeadStatus && !_salesOwned.ContainsKey(leadStatus)
                && (leadStatus.IsEmpty || leadStatus.Equals(_newStatus, StringComparison.OrdinalIgnoreCase) || leadStatus.Equals(_openStatus, StringComparison.OrdinalIgnoreCase)))
            {
                leadStatusToSet = _unqualifiedStatus;
            }
        }
        else
        {
            var wasMql = currentLevel >= Mql || existingMqlDate is not null;
            var belowThreshold = wasMql && computed < Mql;
            var recycled = false;
            if (belowThreshold)
            {
                belowSince = HubSpotValues.ParseDate(values[_belowSinceSlot])
                    ?? EstimateBelowSince(fit, engagementRaw, lastEngagement, now);
                recycled = today.DayNumber - belowSince.Value.DayNumber >= _recycleWindowDays;
            }

            int effective;
            if (recycled)
            {
                status = QualificationStatus.Recycled;

                // An empty stage (a crash between the clear and the set of this very regression leaves one) gets the recycled stage:
                // keeping "the current level" there would keep the stage empty for good.
                effective = currentLevel == NoStage || (_allowRegression && currentLevel > Lead) ? Lead : currentLevel;
                cause = CauseNone;
            }
            else
            {
                effective = _allowRegression && !belowThreshold ? computed : Math.Max(currentLevel, computed);
                if (effective > computed)
                {
                    cause = CauseInHubSpot;
                }

                status = (QualificationStatus)effective;
            }

            if (!locked && effective != currentLevel && effective >= 0)
            {
                target = _levelStage[effective];
                regression = currentLevel >= 0 && effective < currentLevel;
            }

            if (_manageLeadStatus && !_salesOwned.ContainsKey(leadStatus))
            {
                if (status is QualificationStatus.Mql or QualificationStatus.Sql or QualificationStatus.Opportunity)
                {
                    if (leadStatus.IsEmpty || leadStatus.Equals(_newStatus, StringComparison.OrdinalIgnoreCase))
                    {
                        leadStatusToSet = _openStatus;
                    }
                }
                else if (status == QualificationStatus.Lead && leadStatus.IsEmpty)
                {
                    leadStatusToSet = _newStatus;
                }
            }
        }

        var mqlDate = existingMqlDate
            ?? (status is QualificationStatus.Mql or QualificationStatus.Sql or QualificationStatus.Opportunity ? today : null);

        // The reason and the fired-rule list are built from these facts when they are read (see QualificationDecision).
        var facts = new ReasonFacts(status, cause, disqualifiedBy, advocacyRule, belowSince, fit, engagement, engagementRaw, fitFired, scoredFired);
        return new QualificationDecision(contact.Id, fit, engagement, score, status, target, regression, leadStatusToSet,
            SourceBucket(values, names, masks), mqlDate, belowSince, Version, this, in facts, firedRules[..fired]);
    }

    /// <summary>
    /// The properties to write: only those whose value differs from what HubSpot holds (numbers and dates compared normalised),
    /// plus whether <c>lifecyclestage</c> must be cleared first. Writing the plan and evaluating again yields no changes.
    /// </summary>
    public WriteBackPlan ComputeChanges(ContactSnapshot current, QualificationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(decision);
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        SetNumber(changes, current, OutputNames.FitScore, decision.FitScore);
        SetNumber(changes, current, OutputNames.EngagementScore, decision.EngagementScore);
        SetNumber(changes, current, OutputNames.Score, decision.Score);
        SetText(changes, current, OutputNames.Status, decision.Status.ToPropertyValue());
        SetReason(changes, current, decision);
        SetText(changes, current, OutputNames.SourceBucket, decision.SourceBucket);
        SetText(changes, current, OutputNames.PolicyVersion, decision.PolicyVersion);
        if (decision.MqlDate is { } mqlDate)
        {
            // Never rewritten once set: only written when HubSpot holds no parsable date.
            if (HubSpotValues.ParseDate(current.Get(OutputNames.MqlDate)) is null)
            {
                changes[OutputNames.MqlDate] = HubSpotValues.FormatDate(mqlDate);
            }
        }

        SetDate(changes, current, OutputNames.BelowThresholdSince, decision.BelowThresholdSince);

        var clearFirst = false;
        if (decision.TargetLifecycleStage is { } stage && !string.Equals(current.Get(_lifecycleProperty), stage, StringComparison.Ordinal))
        {
            changes[_lifecycleProperty] = stage;
            clearFirst = decision.RegressionRequired;
        }

        if (decision.LeadStatusToSet is { } leadStatus && !string.Equals(current.Get(_leadStatusProperty)?.Trim(), leadStatus, StringComparison.Ordinal))
        {
            changes[_leadStatusProperty] = leadStatus;
        }

        return new WriteBackPlan(current.Id, changes, clearFirst);
    }

    // Why the stage is what it is: an index into CauseTexts (the reason's header is built per status and cause at compile time).
    private const int CauseNone = 0;
    private const int CauseLead = 1;
    private const int CauseMql = 2;
    private const int CauseHandRaiser = 3;
    private const int CauseSalesConnected = 4;
    private const int CauseDeal = 5;
    private const int CauseBudget = 6;
    private const int CauseAdvocacy = 7;
    private const int CauseInHubSpot = 8;

    private static readonly string[] CauseTexts =
    [
        "", "converted or engaged", "fit and engagement meet the MQL test", "hand-raiser conversion", "sales connected", "deal",
        "budget and timeline", "advocacy", "stage set in HubSpot",
    ];

    private int ScoreSet(
        ReadOnlySpan<string?> values,
        int conversionNames,
        DateTimeOffset now,
        int start,
        int end,
        ulong setMask,
        ReadOnlySpan<ulong> masks,
        ReadOnlySpan<bool> textMatched,
        Span<bool> ruleFired,
        Span<FiredEntry> firedRules,
        ref int fired,
        out bool positive)
    {
        var total = 0;
        var matched = -1;
        positive = false;
        for (var i = start; i < end; i++)
        {
            var rule = _rules[i];
            if (rule.RequiredSlot >= 0 && values[rule.RequiredSlot] is null)
            {
                continue;
            }

            int points;
            var value = 0;
            bool hit;
            // The common kinds are called directly (fewer arguments than the general TryScore).
            if (rule.Kind is RuleKind.EqualsValue or RuleKind.In or RuleKind.Contains or RuleKind.EmailDomain)
            {
                hit = rule.TryScoreText(values, textMatched[i], out points);
            }
            else if (rule.Kind == RuleKind.Range)
            {
                hit = rule.TryScoreRange(values, out points, out value);
            }
            else if (rule.Kind == RuleKind.AllOf)
            {
                hit = rule.TryScoreAllOf(ruleFired, out points);
            }
            else if (rule.Kind == RuleKind.Conversion)
            {
                hit = rule.ScoreConversions(CountMatches(masks, 1UL << rule.ConversionBit), out points, out value);
            }
            else
            {
                if (rule.Kind == RuleKind.OtherConversions && matched < 0)
                {
                    // Conversion names matched by any Conversion rule of the same set (whether or not its cap was reached).
                    matched = CountMatches(masks, setMask);
                }

                hit = rule.TryScore(values, conversionNames, now, Math.Max(matched, 0), textMatched[i], out points, out value);
            }

            if (hit)
            {
                ruleFired[i] = true;
                total += points;
                positive |= points > 0;
                firedRules[fired++] = new FiredEntry(i, points, value);
            }
        }

        return total;
    }

    /// <summary>Whether disqualifier or advocacy signal <paramref name="index"/> fires (its points are ignored), dispatched as in <see cref="ScoreSet"/>.</summary>
    private bool Fires(int index, ReadOnlySpan<string?> values, int conversionNames, DateTimeOffset now, bool textMatched)
    {
        var rule = _rules[index];
        if (rule.RequiredSlot >= 0 && values[rule.RequiredSlot] is null)
        {
            return false;
        }

        return rule.Kind switch
        {
            RuleKind.EqualsValue or RuleKind.In or RuleKind.Contains or RuleKind.EmailDomain => rule.TryScoreText(values, textMatched, out _),
            RuleKind.Range => rule.TryScoreRange(values, out _, out _),
            _ => rule.TryScore(values, conversionNames, now, 0, textMatched, out _, out _),
        };
    }

    /// <summary>
    /// Sets <paramref name="textMatched"/>[rule] for every Contains and EmailDomain rule whose keywords or domains occur in its
    /// property: each such property is trimmed and scanned once, whatever the number of rules reading it (the job title for
    /// senior and student titles, the email for business email and competitor).
    /// </summary>
    private void MatchProperties(ReadOnlySpan<string?> values, Span<bool> textMatched)
    {
        textMatched.Clear();
        foreach (var match in _propertyMatches)
        {
            var text = values[match.Slot].AsSpan().Trim();
            if (text.IsEmpty)
            {
                continue;
            }

            var mask = match.Keywords is { } keywords ? keywords.Match(text) : match.Domains!.Match(text);
            while (mask != 0)
            {
                textMatched[match.Rules[System.Numerics.BitOperations.TrailingZeroCount(mask)]] = true;
                mask &= mask - 1;
            }
        }
    }

    /// <summary>One matcher per property for its Contains rules and one for its EmailDomain rules (64 rules at most each; more make another).</summary>
    private static PropertyMatch[] BuildPropertyMatches(CompiledRule[] rules)
    {
        var matches = new List<PropertyMatch>();
        foreach (var kind in (ReadOnlySpan<RuleKind>)[RuleKind.Contains, RuleKind.EmailDomain])
        {
            var indexes = Enumerable.Range(0, rules.Length).Where(i => rules[i].Kind == kind);
            foreach (var bySlot in indexes.GroupBy(i => rules[i].Slot))
            {
                foreach (var chunk in bySlot.Chunk(64))
                {
                    IReadOnlyList<IEnumerable<string>> groups = [.. chunk.Select(i => kind == RuleKind.Contains ? rules[i].Keywords : rules[i].Domains)];
                    matches.Add(kind == RuleKind.Contains
                        ? new PropertyMatch(bySlot.Key, new KeywordMatcher(groups), null, chunk)
                        : new PropertyMatch(bySlot.Key, null, new DomainMatcher(groups), chunk));
                }
            }
        }

        return [.. matches];
    }

    private void GatherValues(IReadOnlyDictionary<string, string?> properties, Span<string?> values)
    {
        // Walk the contact's properties when it has no more than the policy reads (the usual case: the host requests
        // RequiredProperties); otherwise look each slot up.
        if (properties is Dictionary<string, string?> dictionary && dictionary.Count <= values.Length)
        {
            foreach (var (name, value) in dictionary)
            {
                // HubSpot answers every requested property, most of them null: a null needs no slot (they start null).
                if (value is not null && _slotOf.TryGetValue(name, out var slot))
                {
                    values[slot] = value;
                }
            }

            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = properties.TryGetValue(_slotNames[i], out var value) ? value : null;
        }
    }

    /// <summary>A count property's value: its number clamped to 0..int.MaxValue, 0 when empty or not a number.</summary>
    private static int Count(string? value) => HubSpotValues.TryParseNumber(value, out var number) ? (int)Math.Clamp(number, 0, int.MaxValue) : 0;

    private static int CountMatches(ReadOnlySpan<ulong> masks, ulong bits)
    {
        var count = 0;
        foreach (var mask in masks)
        {
            if ((mask & bits) != 0)
            {
                count++;
            }
        }

        return count;
    }

    private static void ResolveAllOf(List<CompiledRule> rules, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (rules[i].Kind == RuleKind.AllOf)
            {
                rules[i].RuleIndexes = [.. rules[i].RuleIds.Select(id => rules.FindIndex(start, end - start, r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)))];
            }
        }
    }

    private DateOnly EstimateBelowSince(int fit, int engagementRaw, DateTimeOffset? lastEngagement, DateTimeOffset now)
    {
        // No stored state yet: when the drop is the engagement decaying, the day it crossed the threshold follows from the
        // half-life (stable across evaluations); otherwise it is today.
        if (fit >= _mqlMinFit && _halfLife > 0 && lastEngagement is { } last && engagementRaw > 0 && _mqlMinEngagement > 0)
        {
            var threshold = _mqlMinEngagement - 0.5;
            var days = engagementRaw <= threshold ? 0 : _halfLife * Math.Log2(engagementRaw / threshold);
            var crossed = last.AddDays(days);
            return DateOnly.FromDateTime((crossed < now ? crossed : now).UtcDateTime);
        }

        return DateOnly.FromDateTime(now.UtcDateTime);
    }

    private static DateTimeOffset? LatestDate(ReadOnlySpan<string?> values, int[] slots)
    {
        DateTimeOffset? latest = null;
        foreach (var slot in slots)
        {
            if (HubSpotValues.ParseDateTime(values[slot]) is { } date && (latest is null || date > latest))
            {
                latest = date;
            }
        }

        return latest;
    }

    private string SourceBucket(ReadOnlySpan<string?> values, IReadOnlyList<string> names, ReadOnlySpan<ulong> masks)
    {
        var source = values[_sourceSlot].AsSpan().Trim();
        var sourceIndex = source.IsEmpty ? _unknownSourceIndex : _sourceIndex.TryGetValue(source, out var index) ? index : _otherSourceIndex;

        var offer = values[_offerSlot];
        var offerIndex = _noOfferIndex;
        ulong mask;
        if (string.IsNullOrWhiteSpace(offer))
        {
            if (names.Count == 0)
            {
                return _buckets[sourceIndex, offerIndex];
            }

            // No first-conversion property: the oldest conversion in the history.
            mask = _offerShift >= 0 ? masks[0] >> _offerShift : _offerMatcher.Match(names[0]);
        }
        else if (_offerShift >= 0 && names.Count > 0 && string.Equals(offer, names[0], StringComparison.Ordinal))
        {
            mask = masks[0] >> _offerShift;
        }
        else
        {
            mask = _offerMatcher.Match(offer);
        }

        // The first offer bucket (in policy order) whose keywords occur.
        offerIndex = mask == 0 ? _otherOfferIndex : System.Numerics.BitOperations.TrailingZeroCount(mask);

        return _buckets[sourceIndex, offerIndex];
    }

    /// <summary>The reason of a decision this policy made (<see cref="QualificationDecision.Reason"/>).</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal string ReasonOf(in ReasonFacts facts, ReadOnlySpan<FiredEntry> fired)
    {
        var writer = new ReasonWriter(stackalloc char[512]);
        try
        {
            WriteReason(ref writer, in facts, fired);
            return writer.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The fired rules of a decision this policy made (<see cref="QualificationDecision.FiredRules"/>).</summary>
    internal IReadOnlyList<FiredRule> FiredRulesOf(ReadOnlySpan<FiredEntry> fired)
    {
        if (fired.IsEmpty)
        {
            return [];
        }

        var rules = new FiredRule[fired.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            rules[i] = new FiredRule(_ruleIds[fired[i].Rule], fired[i].Points);
        }

        return rules;
    }

    /// <summary>
    /// Writes the reason to <see cref="OutputPropertyNames.Reason"/> when it differs from HubSpot's value. A reason not yet
    /// built is written into a stack buffer and compared there, so a contact whose reason HubSpot already holds (the usual
    /// resync) costs no string.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void SetReason(Dictionary<string, string> changes, ContactSnapshot current, QualificationDecision decision)
    {
        if (decision.UnbuiltReasonPolicy is not { } policy)
        {
            SetText(changes, current, OutputNames.Reason, decision.Reason);
            return;
        }

        var existing = current.Get(OutputNames.Reason) ?? string.Empty;
        var writer = new ReasonWriter(stackalloc char[512]);
        try
        {
            policy.WriteReason(ref writer, in decision.Facts, decision.Fired);
            if (!writer.Written.SequenceEqual(existing))
            {
                var reason = writer.ToString();
                decision.KeepReason(reason);
                changes[OutputNames.Reason] = reason;
            }
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void WriteReason(ref ReasonWriter writer, in ReasonFacts facts, ReadOnlySpan<FiredEntry> fired)
    {
        // "<status> (<why>): fit ", built at compile time except for the recycle date.
        var status = facts.Status;
        if (facts.DisqualifiedBy >= 0 && status == QualificationStatus.Disqualified)
        {
            writer.Append(_ruleHeaders[facts.DisqualifiedBy]);
        }
        else if (facts.AdvocacyRule >= 0 && status == QualificationStatus.Evangelist)
        {
            writer.Append(_ruleHeaders[facts.AdvocacyRule]);
        }
        else if (status == QualificationStatus.Recycled && facts.BelowSince is { } since)
        {
            writer.Append(status.ToLabel());
            writer.Append(" (below the MQL test since ");
            writer.AppendDate(since);
            writer.Append("): fit ");
        }
        else
        {
            writer.Append(_headers[((int)status * CauseTexts.Length) + facts.Cause]);
        }

        writer.Append(facts.Fit);
        AppendRules(ref writer, fired[..facts.FitFired]);
        writer.Append(", engagement ");
        writer.Append(facts.Engagement);
        if (facts.EngagementRaw > 0 && facts.EngagementRaw != facts.Engagement)
        {
            writer.Append(" of ");
            writer.Append(facts.EngagementRaw);
            writer.Append(" before decay");
        }

        AppendRules(ref writer, fired[facts.FitFired..facts.ScoredFired]);
    }

    /// <summary>The rules of one score set that fired, in brackets: " (senior title +25, 6 visits +16)".</summary>
    private void AppendRules(ref ReasonWriter writer, ReadOnlySpan<FiredEntry> fired)
    {
        for (var i = 0; i < fired.Length; i++)
        {
            var (index, points, value) = fired[i];
            var rule = _rules[index];
            var first = i == 0;
            if (rule.Fragment is not null && rule.FragmentPoints == points)
            {
                writer.Append(first ? rule.FirstFragment : rule.NextFragment);
                continue;
            }

            writer.Append(first ? rule.FirstLabelPrefix : rule.NextLabelPrefix);
            if (rule.LabelHasValue)
            {
                writer.Append(value);
                writer.Append(rule.LabelSuffixAndSpace);
            }
            else
            {
                writer.Append(' ');
            }

            writer.AppendSigned(points);
        }

        if (!fired.IsEmpty)
        {
            writer.Append(')');
        }
    }

    /// <summary>"Disqualified (competitor domain): fit " for a disqualifier, "Evangelist (referral): fit " for an advocacy signal.</summary>
    private static string RuleHeader(QualificationStatus status, CompiledRule rule) =>
        string.Create(CultureInfo.InvariantCulture, $"{status.ToLabel()} ({rule.LabelPrefix}{(rule.LabelHasValue ? "0" + rule.LabelSuffix : string.Empty)}): fit ");

    private static void SetNumber(Dictionary<string, string> changes, ContactSnapshot current, string property, int value)
    {
        if (HubSpotValues.ParseNumber(current.Get(property)) is not { } existing || Math.Abs(existing - value) > 1e-9)
        {
            changes[property] = HubSpotValues.FormatInteger(value);
        }
    }

    private static void SetText(Dictionary<string, string> changes, ContactSnapshot current, string property, string value)
    {
        if (!string.Equals(current.Get(property) ?? string.Empty, value, StringComparison.Ordinal))
        {
            changes[property] = value;
        }
    }

    private static void SetDate(Dictionary<string, string> changes, ContactSnapshot current, string property, DateOnly? value)
    {
        var raw = current.Get(property);
        if (value is { } date)
        {
            if (HubSpotValues.ParseDate(raw) != date)
            {
                changes[property] = HubSpotValues.FormatDate(date);
            }
        }
        else if (!string.IsNullOrEmpty(raw))
        {
            changes[property] = string.Empty;
        }
    }

    private static OutputPropertyDefinition[] BuildOutputProperties(OutputPropertyNames names)
    {
        var statuses = Enum.GetValues<QualificationStatus>()
            .Select((s, i) => new OutputPropertyOption(s.ToLabel(), s.ToPropertyValue(), i)).ToArray();
        return
        [
            new(names.FitScore, "HubSync fit score", "How well the contact matches the ideal customer profile (0-100).", "number", "number", []),
            new(names.EngagementScore, "HubSync engagement score", "Behaviour points after inactivity decay (half-life in days set by the policy).", "number", "number", []),
            new(names.Score, "HubSync score", "Overall score: weighted fit and engagement (0-100).", "number", "number", []),
            new(names.Status, "HubSync status", "Where the qualification policy places the contact.", "enumeration", "select", statuses),
            new(names.Reason, "HubSync reason", "The rules that fired, with their points.", "string", "textarea", []),
            new(names.MqlDate, "HubSync date became MQL", "The day the contact first became an MQL; never rewritten.", "date", "date", []),
            new(names.SourceBucket, "HubSync source bucket", "Original source and converting offer, for funnel reporting (source:offer).", "string", "text", []),
            new(names.PolicyVersion, "HubSync policy version", "Version of the policy that last scored the contact.", "string", "text", []),
            new(names.BelowThresholdSince, "HubSync below MQL test since", "The day an MQL fell below the MQL test (recycled after the policy's window).", "date", "date", []),
            new(names.ConversionHistory, "HubSync conversion history", "Internal to HubSync, do not edit: the conversion names it read from the history of Recent conversion, and the conversion count they were read at, so it reads that history again only after a new conversion.", "string", "textarea", [], Hidden: true),
        ];
    }
}

/// <summary>The Contains rules (<see cref="Keywords"/>) or EmailDomain rules (<see cref="Domains"/>) reading one property: bit i is rule <c>Rules[i]</c>.</summary>
internal sealed record PropertyMatch(int Slot, KeywordMatcher? Keywords, DomainMatcher? Domains, int[] Rules);

/// <summary>Stack storage for a contact's values, one per property the policy reads (no allocation up to <see cref="Capacity"/>).</summary>
[System.Runtime.CompilerServices.InlineArray(Capacity)]
internal struct PropertyValues
{
    public const int Capacity = 64;

    private string? _element;
}
