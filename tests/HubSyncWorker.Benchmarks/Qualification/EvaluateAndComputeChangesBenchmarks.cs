using System.Globalization;
using BenchmarkDotNet.Attributes;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Benchmarks.Qualification;

/// <summary>
/// What the sync pays per contact (<c>ContactBatchProcessor</c>): <see cref="QualificationPolicy.Evaluate"/> then
/// <see cref="QualificationPolicy.ComputeChanges"/>, the diff against HubSpot's values that compares the reason string.
/// The ICP contact of <see cref="EvaluateBenchmarks"/>, on its first sync (HubSpot holds none of the worker's values,
/// everything is written) and once converged (HubSpot holds what the first sync wrote, nothing to write: the usual resync).
/// </summary>
[MemoryDiagnoser]
public class EvaluateAndComputeChangesBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly QualificationPolicy _policy = QualificationPolicy.CompileDefault();
    private ContactSnapshot _firstSync = null!;
    private ContactSnapshot _converged = null!;

    [GlobalSetup]
    public void Setup()
    {
        var lastVisit = Now.AddDays(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["firstname"] = "Claire", ["lastname"] = "Martin", ["company"] = "Acme", ["jobtitle"] = "VP of Marketing",
            ["industry"] = "COMPUTER_SOFTWARE", ["numemployees"] = "200", ["country"] = "France", ["email"] = "claire@acme.example",
            ["hs_analytics_num_visits"] = "6", ["hs_social_linkedin_clicks"] = "1", ["hs_email_click"] = "2", ["num_conversion_events"] = "2",
            ["hs_analytics_last_visit_timestamp"] = lastVisit, ["hs_analytics_source"] = "ORGANIC_SEARCH", ["lifecyclestage"] = "lead",
            ["hs_lead_status"] = "NEW", ["first_conversion_event_name"] = "Newsletter subscription",
        };
        _firstSync = new ContactSnapshot("1", properties, ["Newsletter subscription", "Ebook: SEO guide"]);

        var written = new Dictionary<string, string?>(properties, StringComparer.Ordinal);
        foreach (var (name, value) in _policy.ComputeChanges(_firstSync, _policy.Evaluate(_firstSync, Now)).Changes)
        {
            written[name] = value.Length == 0 ? null : value;
        }

        _converged = _firstSync with { Properties = written };
        if (_policy.ComputeChanges(_converged, _policy.Evaluate(_converged, Now)).HasChanges)
        {
            throw new InvalidOperationException("The converged contact should need no write.");
        }
    }

    [Benchmark(Baseline = true)]
    public WriteBackPlan IcpMqlFirstSync() => _policy.ComputeChanges(_firstSync, _policy.Evaluate(_firstSync, Now));

    [Benchmark]
    public WriteBackPlan IcpMqlConverged() => _policy.ComputeChanges(_converged, _policy.Evaluate(_converged, Now));
}
