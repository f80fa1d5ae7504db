using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.UnitTests;

public sealed class HubSpotOptionsRulesTests
{
    private const string Secret = "pat-na1-secret with space";

    [Fact]
    public void Validate_DefaultsWithToken_Succeed()
    {
        var options = new HubSpotOptions { AccessToken = "pat-na1-abc" };

        Assert.Empty(Check(options));
        Assert.Equal("https://api.hubapi.com", options.BaseUrl);
        Assert.Equal(100, options.RequestsPerTenSeconds);
        Assert.Equal(4, options.SearchRequestsPerSecond);
        Assert.Equal("2026-03", options.ApiVersion);
    }

    [Theory]
    [InlineData("RequestsPerTenSeconds", "0", "HubSpot:RequestsPerTenSeconds must be between 1 and 1000; was '0'.")]
    [InlineData("SearchRequestsPerSecond", "6", "HubSpot:SearchRequestsPerSecond must be between 1 and 5; was '6'.")]
    [InlineData("MaxRetryAttempts", "0", "HubSpot:MaxRetryAttempts must be between 1 and 20; was '0'.")]
    [InlineData("ApiVersion", "2026-06", "HubSpot:ApiVersion must be one of 2026-03, 2026-09, v3 (v3 only for an existing legacy private app); was '2026-06'.")]
    [InlineData("ApiVersion", "V3", "HubSpot:ApiVersion must be one of 2026-03, 2026-09, v3 (v3 only for an existing legacy private app); was 'V3'.")]
    [InlineData("ApiVersion", "", "HubSpot:ApiVersion must be one of 2026-03, 2026-09, v3 (v3 only for an existing legacy private app); was ''.")]
    [InlineData("BaseUrl", "api.hubapi.com", "HubSpot:BaseUrl must be an absolute http(s) URL; was 'api.hubapi.com'.")]
    [InlineData("CircuitBreakerFailureRatio", "1.5", "HubSpot:CircuitBreakerFailureRatio must be greater than 0 and at most 1; was '1.5'.")]
    [InlineData("AttemptTimeout", "00:00:00.001", "HubSpot:AttemptTimeout must be between 00:00:00.0100000 and 1.00:00:00; was '00:00:00.0010000'.")]
    public void Validate_BadValue_FailsNamingKeyAndValue(string key, string value, string expected)
    {
        var failures = Failures(new() { [$"HubSpot:{key}"] = value });

        Assert.Contains(expected, failures);
    }

    [Theory]
    [InlineData("http://api.hubapi.com")]
    [InlineData("https://api.hubapi.com.attacker.example")]
    [InlineData("https://evilhubapi.com")]
    [InlineData("https://api.hubapi.com:8443")]
    [InlineData("http://127.0.0.1:5000")]
    public void Validate_BaseUrlNotHttpsOnHubApi_FailsNamingBothKeys(string url)
    {
        var failures = Failures(new() { ["HubSpot:BaseUrl"] = url });

        var failure = Assert.Single(failures);
        Assert.StartsWith("HubSpot:BaseUrl must be https on hubapi.com", failure, StringComparison.Ordinal);
        Assert.Contains("HubSpot:AllowCustomBaseUrl=true", failure, StringComparison.Ordinal);
        Assert.EndsWith($"; was '{url}'.", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.hubapi.com", false)]
    [InlineData("https://api.hubapi.com/", false)]
    [InlineData("https://api.eu1.hubapi.com", false)]
    [InlineData("http://127.0.0.1:5000", true)]
    public void Validate_BaseUrlOnHubApiOrAllowed_Succeeds(string url, bool allowCustom)
    {
        var options = new HubSpotOptions { AccessToken = "pat-na1-abc", BaseUrl = url, AllowCustomBaseUrl = allowCustom };

        Assert.Empty(Check(options));
    }

    [Fact]
    public void Validate_TokenMissing_SaysSo()
    {
        var failures = Failures(new() { ["HubSpot:AccessToken"] = null });

        Assert.Contains(failures, f => f.StartsWith("HubSpot:AccessToken is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MalformedToken_NeverPrintsIt()
    {
        var failures = Failures(new() { ["HubSpot:AccessToken"] = Secret });

        var failure = Assert.Single(failures);
        Assert.Contains("HubSpot:AccessToken", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-na1", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralCrossFieldRulesBroken_ReportsEveryOneAtOnce()
    {
        var failures = Failures(new()
        {
            ["HubSpot:AttemptTimeout"] = "00:03:00",
            ["HubSpot:TotalTimeout"] = "00:02:00",
            ["HubSpot:RetryBaseDelay"] = "00:01:00",
            ["HubSpot:RetryMaxDelay"] = "00:00:30",
        });

        Assert.Contains("HubSpot:AttemptTimeout must be shorter than HubSpot:TotalTimeout ('00:02:00'); was '00:03:00'.", failures);
        Assert.Contains("HubSpot:RetryBaseDelay must not exceed HubSpot:RetryMaxDelay ('00:00:30'); was '00:01:00'.", failures);
        Assert.Contains("HubSpot:CircuitBreakerSamplingDuration must be at least twice HubSpot:AttemptTimeout ('00:03:00'); was '00:00:30'.", failures);
    }

    /// <summary>What start-up reports for <paramref name="options"/>: the data annotations' failures and the rules'.</summary>
    private static List<string> Check(HubSpotOptions options) =>
        [.. new IValidateOptions<HubSpotOptions>[] { new SectionValidator<HubSpotOptions>(HubSpotOptions.SectionName), new HubSpotOptionsRules() }
            .Select(v => v.Validate(null, options)).Where(r => r.Failed).SelectMany(r => r.Failures!)];

    private static List<string> Failures(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?> { ["HubSpot:AccessToken"] = "pat-na1-valid" };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName))
            .BuildServiceProvider();

        // What the host's ValidateOnStart runs at start-up.
        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HubSpotOptions>>().Value);
        return [.. exception.Failures];
    }
}
