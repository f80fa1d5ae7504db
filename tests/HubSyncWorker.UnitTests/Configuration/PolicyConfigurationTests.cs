using HubSyncWorker.Policy;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Configuration;

/// <summary>Where the worker's policy comes from: a few keys in configuration are a whole (cut-down) policy, and start-up says so.</summary>
public sealed class PolicyConfigurationTests
{
    [Fact]
    public void LoadPolicy_NoQualificationSection_IsTheEmbeddedDefault()
    {
        var policy = PolicyExtensions.LoadPolicy(new ConfigurationBuilder().Build());

        Assert.Equal(QualificationPolicy.CompileDefault().Version, policy.Version);
    }

    [Fact]
    public void LoadPolicy_AFewKeysThatMakeAValidLookingPolicy_StopsWithTheNoRulesErrorAndTheWholePolicyNote()
    {
        // Before: this passed validation and scored every contact 0 (a CEO on a demo request became no MQL).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qualification:Mql:MinFit"] = "60",
            ["Qualification:Sql:HandRaiserKeywords:0"] = "demo",
        }).Build();

        var exception = Assert.Throws<PolicyValidationException>(() => PolicyExtensions.LoadPolicy(configuration));

        Assert.Contains(exception.Errors, e => e.Path == "Qualification:Fit:Rules");
        Assert.Contains(exception.Errors, e => e.Path == "Qualification" && e.Message.Contains("whole policy", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadPolicy_OneRuleOverriddenByEnvironmentStyleKey_StopsWithTheRuleErrorAndTheWholePolicyNote()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qualification:Fit:Rules:1:Points"] = "30",
        }).Build();

        var exception = Assert.Throws<PolicyValidationException>(() => PolicyExtensions.LoadPolicy(configuration));

        Assert.Contains(exception.Errors, e => e.Path.StartsWith("Qualification:Fit:Rules:0", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Path == "Qualification" && e.Message.Contains("Qualification:PolicyFile", StringComparison.Ordinal));
    }
}
