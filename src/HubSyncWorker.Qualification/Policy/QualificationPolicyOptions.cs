using System.Text.Json.Serialization;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>
/// The qualification policy, bound from the <c>Qualification</c> configuration section, from the JSON file that
/// <c>Qualification:PolicyFile</c> names, or (when neither is configured) from the embedded <c>DefaultPolicy.json</c>.
/// A configured section or file is a whole policy: nothing is merged with the embedded default.
/// Every default stated below is the embedded default policy's value.
/// </summary>
public sealed class QualificationPolicyOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Qualification";

    /// <summary>Optional path of a JSON policy file; when set it replaces the rest of the section. Default: none.</summary>
    [JsonIgnore]
    public string? PolicyFile { get; set; }

    /// <summary>Profile (ICP) rules; the fit score is clamped to 0..<see cref="ScoreSetOptions.MaxScore"/> (at most 100). Default: 7 rules.</summary>
    public ScoreSetOptions Fit { get; set; } = new();

    /// <summary>Behaviour rules; the engagement score decays with inactivity and is clamped to 0..MaxScore. Default: 11 rules.</summary>
    public EngagementOptions Engagement { get; set; } = new();

    /// <summary>Rules that disqualify a contact when any fires (their points are ignored). Default: competitor domain, bad address.</summary>
    public List<RuleOptions> Disqualifiers { get; set; } = [];

    /// <summary>Weights of fit and engagement in the overall score. Default: 0.5 and 0.5.</summary>
    public ScoreWeightsOptions Score { get; set; } = new();

    /// <summary>The lifecycle stage order and the portal values of each worker stage.</summary>
    public LifecycleOptions Lifecycle { get; set; } = new();

    /// <summary>The lead test. Default: at least 1 conversion (or any positive engagement).</summary>
    public LeadStageOptions Lead { get; set; } = new();

    /// <summary>The MQL test. Default: fit ≥ 50 and engagement ≥ 40.</summary>
    public MqlStageOptions Mql { get; set; } = new();

    /// <summary>The SQL test. Default: fit ≥ 50 and a hand-raiser conversion, or sales set CONNECTED / IN_PROGRESS on an MQL.</summary>
    public SqlStageOptions Sql { get; set; } = new();

    /// <summary>The opportunity test. Default: a deal, or budget ≥ 5,000 and timeline ≤ 3 months on an SQL.</summary>
    public OpportunityStageOptions Opportunity { get; set; } = new();

    /// <summary>The evangelist test (customers only). Default: a referral or an NPS of 9 or more.</summary>
    public EvangelistStageOptions Evangelist { get; set; } = new();

    /// <summary>The recycle window. Default: 30 days below the MQL test.</summary>
    public RecycleOptions Recycle { get; set; } = new();

    /// <summary>Which lead statuses the worker may write. Default: HubSpot's default statuses.</summary>
    public LeadStatusOptions LeadStatus { get; set; } = new();

    /// <summary>Source bucket mapping for funnel reporting. Default: original source × first converting offer.</summary>
    public SourceBucketOptions SourceBucket { get; set; } = new();

    /// <summary>Names of the output properties and their group. Default: prefix <c>hubsync_</c>, group <c>hubsync</c>.</summary>
    public OutputOptions Output { get; set; } = new();
}

/// <summary>A set of scoring rules with a maximum score.</summary>
public class ScoreSetOptions
{
    /// <summary>The score is clamped to 0..MaxScore. Default: 100.</summary>
    public int MaxScore { get; set; } = 100;

    /// <summary>The rules, in the order the reason lists them. Default: empty (the default policy file fills it).</summary>
    public List<RuleOptions> Rules { get; set; } = [];
}

/// <summary>Engagement rules plus inactivity decay.</summary>
public sealed class EngagementOptions : ScoreSetOptions
{
    /// <summary>Half-life of the engagement score in days of inactivity; 0 disables decay. Default: 30.</summary>
    public double DecayHalfLifeDays { get; set; } = 30;

    /// <summary>Date properties whose latest value is the last engagement. Default: last visit, last conversion, last email click.</summary>
    public List<string> LastEngagementProperties { get; set; } = [];
}

/// <summary>
/// One rule. <see cref="Kind"/> is one of: <c>Equals</c>, <c>In</c>, <c>Contains</c>, <c>EmailDomain</c>, <c>Range</c>, <c>HasValue</c>,
/// <c>WithinDays</c>, <c>Conversion</c>, <c>OtherConversions</c>, <c>AllOf</c>. Which other fields apply depends on the kind (see docs/qualification-policy.md).
/// </summary>
public sealed class RuleOptions
{
    /// <summary>Unique id across the whole policy (used in the fired-rule list). Required.</summary>
    public string? Id { get; set; }

    /// <summary>Words shown in the reason; <c>{value}</c> is replaced by the numeric value. Default: the id.</summary>
    public string? Label { get; set; }

    /// <summary>The rule kind. Required.</summary>
    public string? Kind { get; set; }

    /// <summary>The property read (all kinds but HasValue, Conversion).</summary>
    public string? Property { get; set; }

    /// <summary>Range: properties summed; WithinDays: latest date of these; HasValue: all must have a value.</summary>
    public List<string> Properties { get; set; } = [];

    /// <summary>HasValue: at least one of these must also have a value.</summary>
    public List<string> AnyOfProperties { get; set; } = [];

    /// <summary>Equals: the value compared (case-insensitive).</summary>
    public string? Value { get; set; }

    /// <summary>In: the accepted values (case-insensitive).</summary>
    public List<string> Values { get; set; } = [];

    /// <summary>Contains and Conversion: keywords matched case-insensitively at word starts.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Conversion: a regular expression (case-insensitive), instead of or besides keywords.</summary>
    public string? Pattern { get; set; }

    /// <summary>EmailDomain: domains (a subdomain matches too).</summary>
    public List<string> Domains { get; set; } = [];

    /// <summary>AllOf: ids of rules of the same score set that must all have fired (a combination bonus).</summary>
    public List<string> RuleIds { get; set; } = [];

    /// <summary>Range: inclusive lower bound.</summary>
    public double? Min { get; set; }

    /// <summary>Range: inclusive upper bound.</summary>
    public double? Max { get; set; }

    /// <summary>WithinDays: the date is at most this many days before <c>now</c> (inclusive).</summary>
    public double? Days { get; set; }

    /// <summary>Equals/In/Contains/EmailDomain: fire when the property has a value that does NOT match. Default: false.</summary>
    public bool Negate { get; set; }

    /// <summary>Points when the rule fires (negative removes points). Conversion/OtherConversions: points per occurrence.</summary>
    public int Points { get; set; }

    /// <summary>Range: extra points per unit above Min (whole units). Default: 0.</summary>
    public int PointsPerUnit { get; set; }

    /// <summary>Caps the absolute points of the rule. Default: no cap.</summary>
    public int? MaxPoints { get; set; }

    /// <summary>Conversion/OtherConversions: occurrences counted at most. Default: 1 for Conversion, no cap for OtherConversions.</summary>
    public int? MaxOccurrences { get; set; }
}

/// <summary>Weights of the overall score: round(FitWeight × fit + EngagementWeight × engagement), clamped to 0..100.</summary>
public sealed class ScoreWeightsOptions
{
    /// <summary>Default: 0.5.</summary>
    public double FitWeight { get; set; } = 0.5;

    /// <summary>Default: 0.5.</summary>
    public double EngagementWeight { get; set; } = 0.5;
}

/// <summary>The portal's lifecycle stages.</summary>
public sealed class LifecycleOptions
{
    /// <summary>Property holding the stage. Default: <c>lifecyclestage</c>.</summary>
    public string Property { get; set; } = "lifecyclestage";

    /// <summary>Stage internal values in funnel order (the host may replace it with the portal's options). Default: HubSpot's order.</summary>
    public List<string> Order { get; set; } = [];

    /// <summary>Allow moving a stage backwards ("clear, then set"). Default: false.</summary>
    public bool AllowRegression { get; set; }

    /// <summary>Portal value of each worker stage. Default: HubSpot's internal values.</summary>
    public StageValuesOptions Stages { get; set; } = new();
}

/// <summary>The portal value of each worker stage; each must be in <see cref="LifecycleOptions.Order"/>, in increasing order.</summary>
public sealed class StageValuesOptions
{
    /// <summary>Default: subscriber.</summary>
    public string Contact { get; set; } = "subscriber";

    /// <summary>Default: lead.</summary>
    public string Lead { get; set; } = "lead";

    /// <summary>Default: marketingqualifiedlead.</summary>
    public string Mql { get; set; } = "marketingqualifiedlead";

    /// <summary>Default: salesqualifiedlead.</summary>
    public string Sql { get; set; } = "salesqualifiedlead";

    /// <summary>Default: opportunity.</summary>
    public string Opportunity { get; set; } = "opportunity";

    /// <summary>Default: customer (never set nor removed by the worker).</summary>
    public string Customer { get; set; } = "customer";

    /// <summary>Default: evangelist.</summary>
    public string Evangelist { get; set; } = "evangelist";
}

/// <summary>The lead test.</summary>
public sealed class LeadStageOptions
{
    /// <summary>Property counting conversions. Default: <c>num_conversion_events</c>.</summary>
    public string ConversionCountProperty { get; set; } = "num_conversion_events";

    /// <summary>Conversions needed (history entries or the count property, whichever is larger). Default: 1.</summary>
    public int MinConversions { get; set; } = 1;
}

/// <summary>The MQL test.</summary>
public sealed class MqlStageOptions
{
    /// <summary>Default: 50.</summary>
    public int MinFit { get; set; } = 50;

    /// <summary>Default: 40.</summary>
    public int MinEngagement { get; set; } = 40;
}

/// <summary>The SQL test.</summary>
public sealed class SqlStageOptions
{
    /// <summary>Default: 50.</summary>
    public int MinFit { get; set; } = 50;

    /// <summary>Hand-raiser keywords matched in conversion names. Default: demo, trial, essai, devis, quote, contact sales, rendez-vous, meeting, sample.</summary>
    public List<string> HandRaiserKeywords { get; set; } = [];

    /// <summary>Lead statuses set by sales that make an MQL an SQL. Default: CONNECTED, IN_PROGRESS.</summary>
    public List<string> LeadStatuses { get; set; } = [];
}

/// <summary>The opportunity test.</summary>
public sealed class OpportunityStageOptions
{
    /// <summary>Default: <c>num_associated_deals</c>.</summary>
    public string DealsProperty { get; set; } = "num_associated_deals";

    /// <summary>Default: 1.</summary>
    public int MinDeals { get; set; } = 1;

    /// <summary>Property holding the known budget. Default: <c>budget</c>.</summary>
    public string BudgetProperty { get; set; } = "budget";

    /// <summary>Default: 5000.</summary>
    public double MinBudget { get; set; } = 5000;

    /// <summary>Property holding the project timeline in months. Default: <c>project_timeline_months</c>.</summary>
    public string TimelineProperty { get; set; } = "project_timeline_months";

    /// <summary>Default: 3.</summary>
    public double MaxTimelineMonths { get; set; } = 3;
}

/// <summary>The evangelist test.</summary>
public sealed class EvangelistStageOptions
{
    /// <summary>Advocacy signals; any firing promotes a customer. Default: referral count ≥ 1, NPS ≥ 9.</summary>
    public List<RuleOptions> Signals { get; set; } = [];
}

/// <summary>Recycling of MQLs gone cold.</summary>
public sealed class RecycleOptions
{
    /// <summary>Days below the MQL test before the status becomes recycled. Default: 30.</summary>
    public int WindowDays { get; set; } = 30;
}

/// <summary>Lead status ownership.</summary>
public sealed class LeadStatusOptions
{
    /// <summary>Default: <c>hs_lead_status</c>.</summary>
    public string Property { get; set; } = "hs_lead_status";

    /// <summary>Whether the worker writes lead statuses at all. Default: true.</summary>
    public bool Manage { get; set; } = true;

    /// <summary>Set on a new lead with no status. Default: NEW.</summary>
    public string NewValue { get; set; } = "NEW";

    /// <summary>Set on an MQL whose status is empty or NEW. Default: OPEN.</summary>
    public string OpenValue { get; set; } = "OPEN";

    /// <summary>Set on a disqualified contact whose status is empty, NEW or OPEN. Default: UNQUALIFIED.</summary>
    public string UnqualifiedValue { get; set; } = "UNQUALIFIED";

    /// <summary>Values owned by sales, never overwritten. Default: IN_PROGRESS, CONNECTED, ATTEMPTED_TO_CONTACT, OPEN_DEAL, BAD_TIMING.</summary>
    public List<string> SalesOwned { get; set; } = [];
}

/// <summary>Source bucket: <c>{source}:{offer}</c>.</summary>
public sealed class SourceBucketOptions
{
    /// <summary>Default: <c>hs_analytics_source</c>.</summary>
    public string SourceProperty { get; set; } = "hs_analytics_source";

    /// <summary>The converting offer property (falls back to the oldest conversion in the history). Default: <c>first_conversion_event_name</c>.</summary>
    public string OfferProperty { get; set; } = "first_conversion_event_name";

    /// <summary>Source value → bucket (case-insensitive). Default: HubSpot's original sources.</summary>
    public Dictionary<string, string> Sources { get; set; } = [];

    /// <summary>Bucket for a source not in the map. Default: other.</summary>
    public string OtherSource { get; set; } = "other";

    /// <summary>Bucket when the source is empty. Default: unknown.</summary>
    public string UnknownSource { get; set; } = "unknown";

    /// <summary>Offer buckets, first match wins. Default: demo, content, newsletter, video.</summary>
    public List<OfferBucketOptions> Offers { get; set; } = [];

    /// <summary>Offer bucket when no keyword matches. Default: form.</summary>
    public string OtherOffer { get; set; } = "form";

    /// <summary>Offer bucket when the contact never converted. Default: none.</summary>
    public string NoOffer { get; set; } = "none";
}

/// <summary>One offer bucket.</summary>
public sealed class OfferBucketOptions
{
    /// <summary>The bucket name. Required.</summary>
    public string? Bucket { get; set; }

    /// <summary>Keywords of the conversion name. Required, non-empty.</summary>
    public List<string> Keywords { get; set; } = [];
}

/// <summary>Names of the output properties.</summary>
public sealed class OutputOptions
{
    /// <summary>Prefix of every output property (lowercase letters, digits, underscores). Default: <c>hubsync_</c>.</summary>
    public string Prefix { get; set; } = "hubsync_";

    /// <summary>Property group name. Default: <c>hubsync</c>.</summary>
    public string GroupName { get; set; } = "hubsync";

    /// <summary>Property group label. Default: HubSync qualification.</summary>
    public string GroupLabel { get; set; } = "HubSync qualification";
}
