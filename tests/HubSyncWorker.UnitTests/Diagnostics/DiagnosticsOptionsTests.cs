using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class DiagnosticsOptionsTests
{
    [Fact]
    public void Validate_SeveralBadValues_ReportsEachKeyAndValue()
    {
        var failures = Failures(new DiagnosticsOptions
        {
            HubSpotTokenCheckInterval = TimeSpan.FromSeconds(1),
            HealthCheckTimeout = TimeSpan.Zero,
            QueueStatsCacheDuration = TimeSpan.FromMinutes(-1),
            MetricsPath = "metrics",
        });

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("Diagnostics:HubSpotTokenCheckInterval", StringComparison.Ordinal) && f.Contains("00:00:01", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:HealthCheckTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:QueueStatsCacheDuration", StringComparison.Ordinal) && f.Contains("-00:01:00", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Diagnostics:MetricsPath", StringComparison.Ordinal) && f.Contains("'metrics'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("otel-collector:4318", "http/protobuf", "Diagnostics:Otlp:Endpoint", "'otel-collector:4318'")]
    [InlineData("ftp://collector:4318", "http/protobuf", "Diagnostics:Otlp:Endpoint", "'ftp://collector:4318'")]
    [InlineData("http://collector:4318", "http/json", "Diagnostics:Otlp:Protocol", "'http/json'")]
    public void Validate_BadOtlpSetting_NamesTheKeyAndValue(string endpoint, string protocol, string key, string value)
    {
        var failure = Assert.Single(Failures(new DiagnosticsOptions { Otlp = new OtlpOptions { Endpoint = endpoint, Protocol = protocol } }));
        Assert.Contains(key, failure, StringComparison.Ordinal);
        Assert.Contains(value, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://otel-collector:4318", "http/protobuf")]
    [InlineData("https://collector.example.com/otlp", "HTTP/PROTOBUF")]
    [InlineData("http://otel-collector:4317", "grpc")]
    public void Validate_GoodOtlpSetting_Succeeds(string endpoint, string protocol) =>
        Assert.Empty(Failures(new DiagnosticsOptions { Otlp = new OtlpOptions { Endpoint = endpoint, Protocol = protocol } }));

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Empty(Failures(new DiagnosticsOptions()));

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

    private static List<string> Failures(DiagnosticsOptions options) =>
        Configuration.SettingsCheck.Failures(DiagnosticsOptions.SectionName, options, new DiagnosticsOptionsRules());
}
