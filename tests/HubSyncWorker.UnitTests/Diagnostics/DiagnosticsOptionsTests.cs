using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class DiagnosticsOptionsTests
{
    [Fact]
    public void Validate_SeveralBadValues_ReportsEachKeyAndValue()
    {
        var result = new DiagnosticsOptionsValidator().Validate(null, new DiagnosticsOptions
        {
            HubSpotTokenCheckInterval = TimeSpan.FromSeconds(1),
            HealthCheckTimeout = TimeSpan.Zero,
            QueueStatsCacheDuration = TimeSpan.FromMinutes(-1),
            MetricsPath = "metrics",
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("Diagnostics:HubSpotTokenCheckInterval", StringComparison.Ordinal) && f.Contains("00:00:01", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:HealthCheckTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:QueueStatsCacheDuration", StringComparison.Ordinal) && f.Contains("-00:01:00", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:MetricsPath", StringComparison.Ordinal) && f.Contains("'metrics'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new DiagnosticsOptionsValidator().Validate(null, new DiagnosticsOptions()).Succeeded);

    [Theory]
    [InlineData("json", null, true)]
    [InlineData("JSON", "false", true)]
    [InlineData("simple", "true", false)]
    [InlineData(null, "true", true)]
    public void UseJsonLogs_FormatAndContainerFlag_ExplicitFormatWins(string? format, string? inContainer, bool expected)
    {
        var values = new Dictionary<string, string?> { ["Logging:Format"] = format, ["DOTNET_RUNNING_IN_CONTAINER"] = inContainer };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        Assert.Equal(expected, DiagnosticsExtensions.UseJsonLogs(configuration));
    }
}
