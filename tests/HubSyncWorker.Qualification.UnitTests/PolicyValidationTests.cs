using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Invalid policies fail with a precise message naming the configuration path and the bad value.</summary>
public sealed class PolicyValidationTests
{
    private static PolicyError SingleError(Action<QualificationPolicyOptions> change)
    {
        var options = PolicyLoader.LoadDefault();
        change(options);
        var errors = PolicyValidator.Validate(options);
        return Assert.Single(errors);
    }

    [Fact]
    public void Validate_DefaultPolicy_NoErrors() => Assert.Empty(PolicyValidator.Validate(PolicyLoader.LoadDefault()));

    [Fact]
    public void Validate_NoFitAndNoEngagementRules_FailsAsAPolicyThatScoresNothing()
    {
        var error = SingleError(o =>
        {
            o.Fit.Rules.Clear();
            o.Engagement.Rules.Clear();
        });

        Assert.Equal("Qualification:Fit:Rules", error.Path);
        Assert.Contains("score nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownRuleKind_NamesPathAndValue()
    {
        var error = SingleError(o => o.Engagement.Rules[3].Kind = "Sometimes");

        Assert.Equal("Qualification:Engagement:Rules:3:Kind", error.Path);
        Assert.Equal("Sometimes", error.Value);
        Assert.Contains("unknown rule kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeCap_NamesPathAndValue()
    {
        var error = SingleError(o => o.Engagement.Rules[7].MaxPoints = -5);

        Assert.Equal("Qualification:Engagement:Rules:7:MaxPoints", error.Path);
        Assert.Equal("-5", error.Value);
        Assert.Contains("negative", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeMaxOccurrences_NamesPathAndValue()
    {
        var error = SingleError(o => o.Engagement.Rules[1].MaxOccurrences = -1);

        Assert.Equal("Qualification:Engagement:Rules:1:MaxOccurrences", error.Path);
        Assert.Equal("-1", error.Value);
    }

    [Theory]
    [InlineData(101, "Qualification:Mql:MinFit")]
    [InlineData(-1, "Qualification:Mql:MinFit")]
    public void Validate_ThresholdOutOfRange_NamesPathAndValue(int value, string path)
    {
        var error = SingleError(o => o.Mql.MinFit = value);

        Assert.Equal(path, error.Path);
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Value);
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateRuleId_NamesSecondUseAndFirst()
    {
        var error = SingleError(o => o.Engagement.Rules[1].Id = "senior-title");

        Assert.Equal("Qualification:Engagement:Rules:1:Id", error.Path);
        Assert.Equal("senior-title", error.Value);
        Assert.Contains("Qualification:Fit:Rules:0:Id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadRegex_NamesPathAndPattern()
    {
        var error = SingleError(o => o.Engagement.Rules[0].Pattern = "demo(");

        Assert.Equal("Qualification:Engagement:Rules:0:Pattern", error.Path);
        Assert.Equal("demo(", error.Value);
        Assert.Contains("invalid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyKeywordList_NamesPath()
    {
        var error = SingleError(o => o.Fit.Rules[0].Keywords = []);

        Assert.Equal("Qualification:Fit:Rules:0:Keywords", error.Path);
    }

    [Fact]
    public void Validate_UnknownStageName_NamesPathAndValue()
    {
        var error = SingleError(o => o.Lifecycle.Stages.Mql = "mql");

        Assert.Equal("Qualification:Lifecycle:Stages:Mql", error.Path);
        Assert.Equal("mql", error.Value);
        Assert.Contains("unknown stage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkerWritingSalesOwnedStatus_Rejected()
    {
        var error = SingleError(o => o.LeadStatus.OpenValue = "CONNECTED");

        Assert.Equal("Qualification:LeadStatus:OpenValue", error.Path);
    }

    [Fact]
    public void Validate_AllOfUnknownRuleId_NamesPathAndValue()
    {
        var error = SingleError(o => o.Engagement.Rules[^1].RuleIds[0] = "nope");

        Assert.Equal("Qualification:Engagement:Rules:11:RuleIds:0", error.Path);
        Assert.Equal("nope", error.Value);
    }

    [Fact]
    public void Validate_SeveralErrors_AllReportedTogether()
    {
        var options = PolicyLoader.LoadDefault();
        options.Engagement.Rules[3].Kind = "Sometimes";
        options.Engagement.Rules[7].MaxPoints = -5;
        options.Mql.MinEngagement = 400;
        options.Fit.Rules[1].Id = "senior-title";
        options.Engagement.Rules[0].Pattern = "[";
        options.Output.Prefix = "HubSync-";

        var paths = PolicyValidator.Validate(options).Select(e => e.Path).ToList();

        Assert.Equal(
            [
                "Qualification:Fit:Rules:1:Id", "Qualification:Engagement:Rules:0:Pattern", "Qualification:Engagement:Rules:3:Kind",
                "Qualification:Engagement:Rules:7:MaxPoints", "Qualification:Mql:MinEngagement", "Qualification:Output:Prefix",
            ],
            paths);
    }

    [Fact]
    public void Compile_InvalidPolicy_ThrowsWithEveryErrorInMessage()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinFit = 500;
        options.Engagement.Rules[3].Kind = "Sometimes";

        var ex = Assert.Throws<PolicyValidationException>(() => QualificationPolicy.Compile(options));

        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains("Qualification:Mql:MinFit = '500'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qualification:Engagement:Rules:3:Kind = 'Sometimes'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsValidator_InvalidPolicy_FailsWithEveryError()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinFit = 500;
        options.Recycle.WindowDays = -3;

        var result = new QualificationPolicyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Qualification:Recycle:WindowDays = '-3'", StringComparison.Ordinal));
    }
}
