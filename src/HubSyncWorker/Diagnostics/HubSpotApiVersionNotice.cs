using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Versioning;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// At start, warns once when the worker runs on HubSpot's legacy v3 API (<c>HubSpot:ApiVersion=v3</c>): v3 and the legacy private
/// apps that need it stop working in September 2027, and an operator should move before then.
/// </summary>
internal sealed partial class HubSpotApiVersionNotice(IOptions<HubSpotOptions> options, ILogger<HubSpotApiVersionNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ApiVersion == HubSpotApiVersion.V3)
        {
            LegacyVersion(logger, HubSpotApiVersion.Default);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "HubSpot:ApiVersion is v3: HubSpot stops supporting the v3 API and legacy private apps in September 2027. "
        + "To move, create the project app from the repository's hubspot/ folder (hs project upload), install it, use its access token and client secret, and set HubSpot:ApiVersion={Recommended}")]
    private static partial void LegacyVersion(ILogger logger, string recommended);
}
