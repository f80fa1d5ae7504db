using HubSyncWorker.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>A worker process as the one-shot verbs build it (no web server, nothing in the background), pointed at a sandbox and a Redis.</summary>
internal static class SyncHost
{
    public static IHost Build(
        HubSpotSandbox sandbox,
        string redisConnectionString,
        string keyPrefix,
        IReadOnlyDictionary<string, string?>? extra = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["HubSpot:AccessToken"] = sandbox.AccessToken,
            ["HubSpot:RequestsPerTenSeconds"] = "1000",
            ["HubSpot:SearchRequestsPerSecond"] = "5",
            ["HubSpot:RetryBaseDelay"] = "00:00:00.050",
            ["Redis:ConnectionString"] = redisConnectionString,
            ["Redis:KeyPrefix"] = keyPrefix,
            ["Sync:ResyncLockTtl"] = "00:02:30",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = WorkerHost.CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings { EnvironmentName = "Testing", Features = WorkerFeatures.None, Settings = settings });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
