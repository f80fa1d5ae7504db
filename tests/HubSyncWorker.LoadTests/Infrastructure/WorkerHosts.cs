using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HubSyncWorker.LoadTests.Infrastructure;

/// <summary>Builds the real worker (its own composition root) pointed at a sandbox URL and a Redis, as the scenarios need it.</summary>
internal static class WorkerHosts
{
    /// <summary>The settings every scenario shares: HubSpot at <paramref name="baseUrl"/> with the given budget, Redis under <paramref name="keyPrefix"/>.</summary>
    public static Dictionary<string, string?> Settings(string baseUrl, string accessToken, string redisConnectionString, string keyPrefix, int requestsPerTenSeconds) => new()
    {
        ["HubSpot:BaseUrl"] = baseUrl,
        ["HubSpot:AllowCustomBaseUrl"] = "true",
        ["HubSpot:AccessToken"] = accessToken,
        ["HubSpot:RequestsPerTenSeconds"] = requestsPerTenSeconds.ToString(CultureInfo.InvariantCulture),
        ["HubSpot:SearchRequestsPerSecond"] = "4",
        ["Redis:ConnectionString"] = redisConnectionString,
        ["Redis:KeyPrefix"] = keyPrefix,
        ["Sync:IncrementalEnabled"] = "false",
        ["Sync:ProgressInterval"] = "00:01:00",
    };

    /// <summary>A worker without a web server: <see cref="WorkerFeatures.None"/> for the one-shot verbs, <see cref="WorkerFeatures.Background"/> for a queue consumer.</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, WorkerFeatures features)
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.NoServer, Isolated(settings, features));
        ConfigureLogging(builder.Logging.ClearProviders());
        return builder.Build();
    }

    /// <summary>The worker on real Kestrel at a free loopback port; returns the app and its base address.</summary>
    /// <remarks><paramref name="mapExtra"/> maps more endpoints on the worker's own pipeline (a scenario's baseline).</remarks>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartWebAsync(
        IReadOnlyDictionary<string, string?> settings, WorkerFeatures features, int port = 0, Action<WebApplication>? mapExtra = null)
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.Web, Isolated(settings, features)).ListenOn($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        ConfigureLogging(builder.Logging.ClearProviders());
        var app = builder.BuildWeb();
        mapExtra?.Invoke(app);
        await app.StartAsync();
        return (app, BaseAddressOf(app));
    }

    /// <summary>Only the scenario's settings: no appsettings.json, no environment variables of the machine running the scenario.</summary>
    private static WorkerHostSettings Isolated(IReadOnlyDictionary<string, string?> settings, WorkerFeatures features) =>
        new() { EnvironmentName = "Production", IgnoreDefaultSources = true, Settings = settings, Features = features };

    /// <summary>
    /// The worker's own warnings (429s, retries) go to stderr on one line each; Polly's duplicates of them and ASP.NET's request
    /// logs are left out so a scenario's table stays readable.
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder logging) =>
        logging.AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter("Polly", LogLevel.None)
            .AddFilter("Microsoft", LogLevel.Error)
            .AddFilter("System", LogLevel.Error)
            .SetMinimumLevel(LogLevel.Warning)
            .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

    public static Uri BaseAddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
