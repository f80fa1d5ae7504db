using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class HubSpotApiVersionNoticeTests
{
    [Fact]
    public async Task StartAsync_LegacyV3_WarnsOnceOfSeptember2027AndHowToMove()
    {
        var logger = new FakeLogger<HubSpotApiVersionNotice>();

        await new HubSpotApiVersionNotice(Options.Create(new HubSpotOptions { ApiVersion = "v3" }), logger).StartAsync(default);

        var warning = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((LogLevel.Warning, 1302), (warning.Level, warning.Id.Id));
        Assert.Contains("September 2027", warning.Message, StringComparison.Ordinal);
        Assert.Contains("hubspot/", warning.Message, StringComparison.Ordinal);
        Assert.Contains("HubSpot:ApiVersion=2026-03", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-03")]
    [InlineData("2026-09")]
    public async Task StartAsync_DatedVersion_LogsNothing(string version)
    {
        var logger = new FakeLogger<HubSpotApiVersionNotice>();

        await new HubSpotApiVersionNotice(Options.Create(new HubSpotOptions { ApiVersion = version }), logger).StartAsync(default);

        Assert.Empty(logger.Collector.GetSnapshot());
    }
}
