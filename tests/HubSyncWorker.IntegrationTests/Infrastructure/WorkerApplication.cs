using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>The real worker on real Kestrel, bound to a free loopback port, configured by the test.</summary>
internal sealed class WorkerApplication : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WorkerApplication(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the worker with <paramref name="features"/>; by default only the webhook endpoint, so a test can inspect what it queued.
    /// <paramref name="port"/> 0 (the default) takes a free port; a test that must give the URL out before the start (a sandbox that
    /// sends webhooks) picks one with <see cref="Loopback.FreePort"/>.
    /// </summary>
    public static async Task<WorkerApplication> StartAsync(
        IReadOnlyDictionary<string, string?> settings,
        WorkerFeatures features = WorkerFeatures.Webhooks,
        Action<IServiceCollection>? configureServices = null,
        int port = 0)
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.Web, new WorkerHostSettings { EnvironmentName = "Testing", Features = features, Settings = settings })
            .ListenOn(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.BuildWeb(overrides: configureServices);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WorkerApplication(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
