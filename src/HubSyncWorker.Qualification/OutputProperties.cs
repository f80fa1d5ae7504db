namespace HubSyncWorker.Qualification;

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
    string ConversionHistory,
    string ScoresAtMql,
    string ScoresAtSql)
{
    /// <summary>The output property names under <paramref name="prefix"/> (<c>Output:Prefix</c>).</summary>
    internal static OutputPropertyNames WithPrefix(string prefix) => new(
        prefix + "fit_score", prefix + "engagement_score", prefix + "score", prefix + "status", prefix + "reason",
        prefix + "mql_date", prefix + "source_bucket", prefix + "policy_version", prefix + "below_threshold_since",
        prefix + "conversion_history", prefix + "scores_at_mql", prefix + "scores_at_sql");

    /// <summary>Every output property name, in the order of the record.</summary>
    internal IEnumerable<string> All =>
        [FitScore, EngagementScore, Score, Status, Reason, MqlDate, SourceBucket, PolicyVersion, BelowThresholdSince, ConversionHistory, ScoresAtMql, ScoresAtSql];

    /// <summary>What the property bootstrap creates for these names: type, labels, descriptions and the status options.</summary>
    internal IReadOnlyList<OutputPropertyDefinition> Definitions()
    {
        var statuses = Enum.GetValues<QualificationStatus>()
            .Select((s, i) => new OutputPropertyOption(s.ToLabel(), s.ToPropertyValue(), i)).ToArray();
        return
        [
            new(FitScore, "HubSync fit score", "How well the contact matches the ideal customer profile (0-100).", "number", "number", []),
            new(EngagementScore, "HubSync engagement score", "Behaviour points after inactivity decay (half-life in days set by the policy).", "number", "number", []),
            new(Score, "HubSync score", "Overall score: weighted fit and engagement (0-100).", "number", "number", []),
            new(Status, "HubSync status", "Where the qualification policy places the contact.", "enumeration", "select", statuses),
            new(Reason, "HubSync reason", "The rules that fired, with their points.", "string", "textarea", []),
            new(MqlDate, "HubSync date became MQL", "The day the contact first became an MQL; never rewritten.", "date", "date", []),
            new(SourceBucket, "HubSync source bucket", "Original source and converting offer, for funnel reporting (source:offer).", "string", "text", []),
            new(PolicyVersion, "HubSync policy version", "Version of the policy that last scored the contact.", "string", "text", []),
            new(BelowThresholdSince, "HubSync below MQL test since", "The day an MQL fell below the MQL test (recycled after the policy's window).", "date", "date", []),
            new(ConversionHistory, "HubSync conversion history", "Internal to HubSync, do not edit: the conversion names it read from the history of Recent conversion, and the conversion count they were read at, so it reads that history again only after a new conversion.", "string", "textarea", [], Hidden: true),
            new(ScoresAtMql, "HubSync scores at MQL", "Internal to HubSync, do not edit: the fit and engagement scores and the rules that fired when HubSync made the contact an MQL, for the insights analysis.", "string", "textarea", [], Hidden: true),
            new(ScoresAtSql, "HubSync scores at SQL", "Internal to HubSync, do not edit: the fit and engagement scores and the rules that fired when HubSync made the contact an SQL, for the insights analysis.", "string", "textarea", [], Hidden: true),
        ];
    }
}

/// <summary>An output property the host creates at start (mapped to HubSpot's property create body).</summary>
/// <param name="Name">Internal name (prefixed).</param>
/// <param name="Label">Label shown in HubSpot.</param>
/// <param name="Description">Description shown in HubSpot.</param>
/// <param name="Type">HubSpot type: number, string, enumeration, date.</param>
/// <param name="FieldType">HubSpot field type: number, text, textarea, select, date.</param>
/// <param name="Options">Options of an enumeration (empty otherwise).</param>
/// <param name="Hidden">Hidden from HubSpot's forms and record views (a property only the worker reads).</param>
public sealed record OutputPropertyDefinition(string Name, string Label, string Description, string Type, string FieldType, IReadOnlyList<OutputPropertyOption> Options, bool Hidden = false);

/// <summary>One option of an enumeration output property.</summary>
public sealed record OutputPropertyOption(string Label, string Value, int DisplayOrder);
