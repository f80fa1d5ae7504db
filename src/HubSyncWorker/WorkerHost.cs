using HubSyncWorker.Admin;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Policy;
using HubSyncWorker.Scheduling;
using HubSyncWorker.Startup;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker;

/// <summary>Which parts of the worker a process runs.</summary>
[Flags]
internal enum WorkerFeatures
{
    /// <summary>Only the services (one-shot verbs such as <c>resync</c> and <c>setup</c>).</summary>
    None = 0,

    /// <summary>The HubSpot webhook endpoint.</summary>
    Webhooks = 1,

    /// <summary>The output-property bootstrap at start, the work-queue consumer and the Quartz schedules.</summary>
    Background = 2,

    All = Webhooks | Background,
}

/// <summary>The kind of process that hosts the worker.</summary>
internal enum WorkerHostMode
{
    /// <summary>Kestrel serving the worker's endpoints: the <c>run</c> verb, the demo, tests of the HTTP surface.</summary>
    Web,

    /// <summary>No web server: the one-shot verbs (<c>setup</c>, <c>resync</c>) and hosts that only consume the queue.</summary>
    NoServer,

    /// <summary>Only the shared store, which needs no HubSpot token: the <c>deadletters</c> verb.</summary>
    StoreOnly,
}

/// <summary>Where a host's configuration comes from and which parts of the worker it runs.</summary>
internal sealed record WorkerHostSettings
{
    /// <summary>Command-line configuration (<c>--Section:Key=value</c>); it wins over everything else.</summary>
    public string[] Args { get; init; } = [];

    /// <summary>The features of a <see cref="WorkerHostMode.Web"/> or <see cref="WorkerHostMode.NoServer"/> host. Default: all.</summary>
    public WorkerFeatures Features { get; init; } = WorkerFeatures.All;

    /// <summary>The host environment (<c>Testing</c> in tests); default: the process's (<c>DOTNET_ENVIRONMENT</c>), else Production.</summary>
    public string? EnvironmentName { get; init; }

    /// <summary>Read no <c>appsettings.json</c> and no environment variables, only <see cref="Settings"/> and <see cref="Args"/> (load tests).</summary>
    public bool IgnoreDefaultSources { get; init; }

    /// <summary>Settings over <c>appsettings.json</c> and the environment (the demo's, a test's), under <see cref="Args"/>.</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }
}

/// <summary>
/// The one way a worker host is made, for <c>run</c>, every verb, the demo and the tests: <see cref="CreateBuilder"/>, then
/// <see cref="WorkerHostBuilder.Build"/> registers every feature, validates the configuration and maps the endpoints.
/// </summary>
internal static class WorkerHost
{
    /// <summary>A builder of a <paramref name="mode"/> host; its configuration, services and logging can be adjusted before the build.</summary>
    public static WorkerHostBuilder CreateBuilder(WorkerHostMode mode, WorkerHostSettings? settings = null)
    {
        settings ??= new WorkerHostSettings();
        IHostApplicationBuilder builder = mode == WorkerHostMode.Web
            ? WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings.Args, EnvironmentName = settings.EnvironmentName })
            : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings.Args, EnvironmentName = settings.EnvironmentName });
        if (settings.IgnoreDefaultSources)
        {
            builder.Configuration.Sources.Clear();
        }

        if (settings.Settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings.Settings);

            // The command line still wins over the caller's settings (e.g. the demo's, with --Sync:QueueBatchWindow=00:00:00.5).
            builder.Configuration.AddCommandLine(settings.Args);
        }
        else if (settings.IgnoreDefaultSources)
        {
            builder.Configuration.AddCommandLine(settings.Args);
        }

        if (mode != WorkerHostMode.Web)
        {
            // A host without a server is a one-shot verb's, ending by itself: no "Application started. Press Ctrl+C to shut down."
            builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        }

        return new WorkerHostBuilder(builder, mode, settings.Features);
    }

    /// <summary>The configuration a host made from <paramref name="args"/> would read, for the verbs that need no host (<c>policy check</c>).</summary>
    public static IConfiguration Configuration(string[] args) => CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings { Args = args }).Configuration;

    /// <summary>Registers the worker's services and the <paramref name="features"/> this process runs.</summary>
    internal static void AddHubSyncWorker(this IHostApplicationBuilder builder, WorkerFeatures features)
    {
        builder.AddStorage();
        builder.AddQualificationPolicy();
        builder.AddSync(runBackgroundServices: features.HasFlag(WorkerFeatures.Background));
        if (features.HasFlag(WorkerFeatures.Webhooks))
        {
            // Processes that serve no webhooks need no webhook secret.
            builder.AddWebhooks();
            builder.Services.AddHostedService<CredentialModeAnnouncement>();
        }

        if (features.HasFlag(WorkerFeatures.Background))
        {
            builder.AddScheduling();
        }

        builder.AddDiagnostics();
        builder.AddAdmin();
    }

    /// <summary>The worker's HTTP surface: liveness, the HubSpot webhook endpoint and the admin API.</summary>
    internal static void MapHubSyncWorker(this WebApplication app)
    {
        app.MapDiagnostics();
        if (app.Services.GetService<WebhookIntake>() is not null)
        {
            app.MapHubSpotWebhooks();
        }

        app.MapAdmin();
    }
}

/// <summary>A worker host being made (see <see cref="WorkerHost.CreateBuilder"/>).</summary>
internal sealed class WorkerHostBuilder
{
    private readonly IHostApplicationBuilder _builder;
    private readonly WorkerHostMode _mode;
    private readonly WorkerFeatures _features;

    internal WorkerHostBuilder(IHostApplicationBuilder builder, WorkerHostMode mode, WorkerFeatures features)
    {
        _builder = builder;
        _mode = mode;
        _features = features;
    }

    /// <summary>The configuration: sources added here count (the worker reads some settings while it registers).</summary>
    public IConfigurationManager Configuration => _builder.Configuration;

    /// <summary>The services: registered here, before the worker's, they win over the worker's <c>TryAdd</c> defaults.</summary>
    public IServiceCollection Services => _builder.Services;

    /// <summary>The logging.</summary>
    public ILoggingBuilder Logging => _builder.Logging;

    /// <summary>The address Kestrel listens on (port 0: a free one); a <see cref="WorkerHostMode.Web"/> host only.</summary>
    public WorkerHostBuilder ListenOn(string url)
    {
        WebBuilder.WebHost.UseUrls(url);
        return this;
    }

    /// <summary>
    /// Registers the worker, then <paramref name="overrides"/> (registered after the worker's, they replace them), builds the host and
    /// validates every setting and the policy; a <see cref="WorkerHostMode.Web"/> host gets its endpoints mapped.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is bad (<see cref="StartupFailure.Describe"/> words it).</exception>
    public IHost Build(Action<IServiceCollection>? overrides = null)
    {
        if (_mode == WorkerHostMode.StoreOnly)
        {
            _builder.AddStorage();
        }
        else
        {
            _builder.AddHubSyncWorker(_features);
        }

        overrides?.Invoke(_builder.Services);
        IHost host = _builder is WebApplicationBuilder web ? web.Build() : ((HostApplicationBuilder)_builder).Build();
        try
        {
            ConfigurationCheck.ThrowIfInvalid(host.Services);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        if (host is WebApplication app)
        {
            app.MapHubSyncWorker();
        }

        return host;
    }

    /// <summary><see cref="Build"/> for a <see cref="WorkerHostMode.Web"/> host, whose pipeline can take more endpoints before it starts.</summary>
    public WebApplication BuildWeb(Action<IServiceCollection>? overrides = null)
    {
        _ = WebBuilder;
        return (WebApplication)Build(overrides);
    }

    private WebApplicationBuilder WebBuilder => _builder as WebApplicationBuilder
        ?? throw new InvalidOperationException($"Only a {nameof(WorkerHostMode.Web)} host has a web server.");
}
