using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.UnitTests.Settings;

/// <summary>The one options mechanism: bound by section name, annotations checked at start, one message format, the section registered for the unknown-key check.</summary>
public sealed class ValidatedSectionsTests
{
    [Fact]
    public void AddValidatedSection_BadValues_EveryOneReportedInOneFormat()
    {
        using var provider = Provider(new()
        {
            ["Sample:Count"] = "0",
            ["Sample:Window"] = "00:00:00.5",
            ["Sample:Endpoint"] = "collector:4318",
            ["Sample:Name"] = " ",
            ["Sample:Ratio"] = "0",
        });

        var failures = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value).Failures;

        Assert.Equal(
        [
            "Sample:Count must be between 1 and 100 (a batch's limit); was '0'.",
            "Sample:Endpoint must be an absolute http(s) URL; was 'collector:4318'.",
            "Sample:Name must not be empty; was ' '.",
            "Sample:Ratio must be greater than 0 and at most 1; was '0'.",
            "Sample:Window must be between 00:00:01 and 01:00:00; was '00:00:00.5000000'.",
        ], failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AddValidatedSection_ValueItsTypeCannotHold_ReportedWithTheRangeErrorsAndNoStandIn()
    {
        using var provider = Provider(new() { ["Sample:Count"] = "lots", ["Sample:Window"] = "5m", ["Sample:Ratio"] = "2" });

        var failures = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value).Failures;

        Assert.Equal(
        [
            "Sample:Count must be a whole number (up to 2147483647); was 'lots'.",
            "Sample:Ratio must be greater than 0 and at most 1; was '2'.",
            "Sample:Window must be a time span: hh:mm:ss, e.g. 00:05:00 for five minutes, or d.hh:mm:ss, e.g. 1.00:00:00 for a day; was '5m'.",
        ], failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AddValidatedSection_CalledTwice_RegistersTheSectionOnceWithItsSettings()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddValidatedSection<SampleOptions, SampleRules>(configuration.GetSection("Sample"));
        services.AddValidatedSection<SampleOptions, SampleRules>(configuration.GetSection("Sample"));
        using var provider = services.BuildServiceProvider();

        var section = Assert.Single(provider.GetServices<SettingsSection>());
        Assert.Equal(("Sample", typeof(SampleOptions)), (section.Name, section.OptionsType));
        Assert.Equal(["Count", "Endpoint", "Name", "Ratio", "Window"], section.SettingNames.Order(StringComparer.Ordinal));
        Assert.Equal(2, provider.GetServices<IValidateOptions<SampleOptions>>().Count());
    }

    [Fact]
    public void AddValidatedSection_RulesBroken_ReportedBesideTheAnnotations()
    {
        using var provider = Provider(new() { ["Sample:Count"] = "50", ["Sample:Window"] = "00:00:30", ["Sample:Ratio"] = "0" });

        var failures = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value).Failures;

        Assert.Contains("Sample:Window must be longer than Sample:Count seconds ('50'); was '00:00:30'.", failures);
        Assert.Contains("Sample:Ratio must be greater than 0 and at most 1; was '0'.", failures);
    }

    [Fact]
    public void AddValidatedSection_ConfigurationReloaded_MonitorSeesTheNewValue()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Count"] = "5" }).Build();
        using var provider = new ServiceCollection().AddValidatedSection<SampleOptions>(configuration.GetSection("Sample")).Services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<SampleOptions>>();
        Assert.Equal(5, monitor.CurrentValue.Count);

        configuration["Sample:Count"] = "7";
        configuration.Reload();

        Assert.Equal(7, monitor.CurrentValue.Count);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddValidatedSection<SampleOptions, SampleRules>(configuration.GetSection("Sample"));
        return services.BuildServiceProvider();
    }

    internal sealed class SampleOptions
    {
        [Range(1, 100, ErrorMessage = "a batch's limit")]
        public int Count { get; set; } = 10;

        [TimeSpanRange("00:00:01", "01:00:00")]
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

        [HttpUrl(Optional = true)]
        public string? Endpoint { get; set; }

        [Required]
        public string Name { get; set; } = "sample";

        [Range(0d, 1d, MinimumIsExclusive = true)]
        public double Ratio { get; set; } = 0.5;
    }

    internal sealed class SampleRules : IValidateOptions<SampleOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleOptions options) =>
            options.Window > TimeSpan.FromSeconds(options.Count)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(SettingMessages.Invalid("Sample:Window", options.Window, "must be longer than", "Sample:Count seconds", options.Count));
    }
}
