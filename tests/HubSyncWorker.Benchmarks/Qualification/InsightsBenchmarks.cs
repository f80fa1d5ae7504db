using BenchmarkDotNet.Attributes;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Qualification.UnitTests.Insights;

namespace HubSyncWorker.Benchmarks.Qualification;

/// <summary>
/// Cost of one insights analysis over a portal of planted contacts (the unit tests' <see cref="PlantedPortal"/>): each contact is
/// evaluated once per policy, so the candidate comparison should about double the time, and 100,000 contacts take a few seconds at most.
/// </summary>
[MemoryDiagnoser]
public class InsightsBenchmarks
{
    private IReadOnlyList<InsightContact> _contacts = null!;
    private QualificationPolicy _candidate = null!;

    [Params(10_000, 100_000)]
    public int Contacts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _contacts = PlantedPortal.Generate(Contacts);
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinEngagement = 30;
        _candidate = QualificationPolicy.Compile(options);
    }

    [Benchmark(Baseline = true)]
    public InsightsReport Analyze() => InsightsAnalyzer.Analyze(_contacts, PlantedPortal.Policy, new InsightsRequest(0.15, 5000), PlantedPortal.AnalysedAt);

    [Benchmark]
    public InsightsReport AnalyzeWithCandidate() =>
        InsightsAnalyzer.Analyze(_contacts, PlantedPortal.Policy, new InsightsRequest(0.15, 5000), PlantedPortal.AnalysedAt, _candidate);
}
