using System.Globalization;
using BenchmarkDotNet.Attributes;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Benchmarks.Qualification;

/// <summary>
/// Cost of one <see cref="QualificationPolicy.Evaluate"/> on the default policy, per representative contact. The decision
/// builds its reason string when it is first read (the sync's diff compares it without building it), so the
/// <c>...WithReason</c> cases measure Evaluate and then reading <see cref="QualificationDecision.Reason"/>: what a caller
/// that needs the text pays.
/// </summary>
[MemoryDiagnoser]
public class EvaluateBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly QualificationPolicy _policy = QualificationPolicy.CompileDefault();
    private ContactSnapshot _icpMql = null!;
    private ContactSnapshot _student = null!;
    private ContactSnapshot _competitor = null!;
    private ContactSnapshot _customer = null!;
    private ContactSnapshot _icpMqlAsHubSpotSendsIt = null!;

    [GlobalSetup]
    public void Setup()
    {
        var lastVisit = Now.AddDays(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        _icpMql = Contact("1", ["Newsletter subscription", "Ebook: SEO guide"], new()
        {
            ["firstname"] = "Claire", ["lastname"] = "Martin", ["company"] = "Acme", ["jobtitle"] = "VP of Marketing",
            ["industry"] = "COMPUTER_SOFTWARE", ["numemployees"] = "200", ["country"] = "France", ["email"] = "claire@acme.example",
            ["hs_analytics_num_visits"] = "6", ["hs_social_linkedin_clicks"] = "1", ["hs_email_click"] = "2", ["num_conversion_events"] = "2",
            ["hs_analytics_last_visit_timestamp"] = lastVisit, ["hs_analytics_source"] = "ORGANIC_SEARCH", ["lifecyclestage"] = "lead",
            ["hs_lead_status"] = "NEW", ["first_conversion_event_name"] = "Newsletter subscription",
        });
        _student = Contact("2", ["Request a demo"], new()
        {
            ["firstname"] = "Tom", ["lastname"] = "Petit", ["jobtitle"] = "Étudiant en master", ["email"] = "tom@gmail.com",
            ["hs_analytics_num_visits"] = "3", ["num_conversion_events"] = "1", ["hs_analytics_last_visit_timestamp"] = lastVisit,
            ["hs_analytics_source"] = "PAID_SOCIAL", ["lifecyclestage"] = "lead",
        });
        _competitor = Contact("3", ["Request a demo", "Pricing page", "Ebook"], new()
        {
            ["jobtitle"] = "Head of Product", ["email"] = "spy@competitor.example", ["hs_analytics_num_visits"] = "40",
            ["hs_email_click"] = "9", ["num_conversion_events"] = "3", ["hs_analytics_last_visit_timestamp"] = lastVisit,
            ["lifecyclestage"] = "lead", ["hs_lead_status"] = "OPEN",
        });
        // The ICP contact as a batch read returns it: every property the policy requests, those without a value as null.
        var everyRequested = new Dictionary<string, string?>(_icpMql.Properties);
        foreach (var name in _policy.RequiredProperties)
        {
            everyRequested.TryAdd(name, null);
        }

        _icpMqlAsHubSpotSendsIt = Contact("1", [.. _icpMql.ConversionNames], everyRequested);
        _customer = Contact("4", [], new()
        {
            ["firstname"] = "Ana", ["lastname"] = "Costa", ["company"] = "Client Co", ["email"] = "ana@client.example",
            ["lifecyclestage"] = "customer", ["referral_count"] = "2", ["hubsync_mql_date"] = "2025-04-02",
        });
    }

    [Benchmark(Baseline = true)]
    public QualificationDecision IcpMql() => _policy.Evaluate(_icpMql, Now);

    [Benchmark]
    public QualificationDecision Student() => _policy.Evaluate(_student, Now);

    [Benchmark]
    public QualificationDecision Competitor() => _policy.Evaluate(_competitor, Now);

    [Benchmark]
    public QualificationDecision Customer() => _policy.Evaluate(_customer, Now);

    [Benchmark]
    public QualificationDecision IcpMqlAsHubSpotSendsIt() => _policy.Evaluate(_icpMqlAsHubSpotSendsIt, Now);

    [Benchmark]
    public string IcpMqlWithReason() => _policy.Evaluate(_icpMql, Now).Reason;

    [Benchmark]
    public string StudentWithReason() => _policy.Evaluate(_student, Now).Reason;

    [Benchmark]
    public string CompetitorWithReason() => _policy.Evaluate(_competitor, Now).Reason;

    [Benchmark]
    public string CustomerWithReason() => _policy.Evaluate(_customer, Now).Reason;

    private static ContactSnapshot Contact(string id, string[] conversions, Dictionary<string, string?> properties) =>
        new(id, properties, conversions);
}
