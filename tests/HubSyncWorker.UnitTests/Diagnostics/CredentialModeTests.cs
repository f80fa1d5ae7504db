using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class CredentialModeTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private static async Task<IReadOnlyList<FakeLogRecord>> AnnounceAsync(IConfiguration configuration)
    {
        var logger = new FakeLogger<CredentialModeAnnouncement>();
        await new CredentialModeAnnouncement(configuration, logger).StartAsync(CancellationToken.None);
        return logger.Collector.GetSnapshot();
    }

    [Fact]
    public async Task StartAsync_ProjectAppTokenAndClientSecret_OneInformationLine_WebhooksAndPolling_NoSecretLogged()
    {
        var logs = await AnnounceAsync(Settings(("HubSpot:AccessToken", "pat-na1-11111111-2222"), ("Webhooks:ClientSecret", "s3cr3t-value")));

        var line = Assert.Single(logs);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal(4001, line.Id.Id);
        Assert.Contains("webhooks and polling", line.Message, StringComparison.Ordinal);
        Assert.Contains("API version 2026-03", line.Message, StringComparison.Ordinal);
        Assert.Contains("HubSpot documents no way to tell them apart", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("11111111", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_LegacyV3_OneWarningOfSeptember2027AndHowToMove()
    {
        var logs = await AnnounceAsync(Settings(("HubSpot:AccessToken", "pat-na1-x"), ("Webhooks:ClientSecret", "s"), ("HubSpot:ApiVersion", "v3")));

        var warning = Assert.Single(logs, l => l.Level == LogLevel.Warning);
        Assert.Equal(4002, warning.Id.Id);
        Assert.Contains("September 2027", warning.Message, StringComparison.Ordinal);
        Assert.Contains("hubspot/", warning.Message, StringComparison.Ordinal);
        Assert.Contains("HubSpot:ApiVersion=2026-03", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ServiceKeyWithWebhooksOff_PollingOnly_NoWarning()
    {
        var logs = await AnnounceAsync(Settings(("HubSpot:AccessToken", "service-key-value"), ("Webhooks:Enabled", "false")));

        var line = Assert.Single(logs);
        Assert.Contains("polling only (Webhooks:Enabled=false)", line.Message, StringComparison.Ordinal);
        Assert.Contains("Service Key", line.Message, StringComparison.Ordinal);
        Assert.Contains("token: not pat-", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WebhooksOnWithoutSecret_WarnsToSetTheSecretOrTurnWebhooksOff()
    {
        var logs = await AnnounceAsync(Settings(("HubSpot:AccessToken", "service-key-value")));

        Assert.Equal([LogLevel.Information, LogLevel.Warning], logs.Select(l => l.Level));
        Assert.Equal(4002, logs[1].Id.Id);
        Assert.Contains("neither Webhooks:ClientSecret nor Webhooks:ClientSecrets is set", logs[1].Message, StringComparison.Ordinal);
        Assert.Contains("set Webhooks:Enabled=false", logs[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_RotationSecretsOnly_CountAsASigningSecret()
    {
        var mode = CredentialMode.FromConfiguration(Settings(("HubSpot:AccessToken", "t"), ("Webhooks:ClientSecrets:0", "new"), ("Webhooks:ClientSecrets:1", "old")));

        Assert.StartsWith("webhooks and polling", mode.Mode, StringComparison.Ordinal);
        Assert.Empty(mode.Missing);
    }

    [Theory]
    [InlineData("v3", true)]
    [InlineData("V3", true)]
    [InlineData("2026-03", false)]
    [InlineData("2026-09", false)]
    public void Describe_ApiVersion_WarnsOnlyForTheLegacyPaths(string version, bool warned)
    {
        var mode = CredentialMode.Describe("pat-na1-x", version, webhooksEnabled: true, hasSigningSecret: true);

        Assert.Equal(warned, mode.Missing.Any(m => m.Contains("September 2027", StringComparison.Ordinal)));
        Assert.Equal(version, mode.ApiVersion);
    }

    [Fact]
    public void Describe_NoToken_SaysWhereToGetOne()
    {
        var mode = CredentialMode.Describe(null, null, webhooksEnabled: false, hasSigningSecret: false);

        Assert.Contains(mode.Missing, m => m.Contains("HubSpot__AccessToken", StringComparison.Ordinal));
        Assert.Equal(CredentialMode.DefaultApiVersion, mode.ApiVersion);
    }
}
