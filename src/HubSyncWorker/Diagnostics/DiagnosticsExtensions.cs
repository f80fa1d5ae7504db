using System.Text.Json;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Refit;

namespace HubSyncWorker.Diagnostics;

/// <summary>Probes (<c>/alive</c>, <c>/health</c>), metrics (<c>/metrics</c>, optionally OTLP), traces (OTLP) and the log format.</summary>
internal static class DiagnosticsExtensions
{
    /// <summary>Configuration key that selects JSON console logs (<c>json</c>); containers get them by default.</summary>
    public const string LogFormatKey = "Logging:Format";

    /// <summary>The tag of the checks <c>/health</c> runs (everything an operator should look at); other features add their own checks with it.</summary>
    internal const string ReadyTag = "ready";

    /// <summary>
    /// The tag of the checks <c>/ready</c> runs (the readiness probe): only what stops this pod from taking webhooks (the store).
    /// A rejected HubSpot token or refused deliveries are the same for every pod: taking them all out of the Service would turn
    /// deliveries HubSpot could have queued into 503s, so those stay in <c>/health</c>.
    /// </summary>
    internal const string ServingTag = "serving";

    private static readonly JsonSerializerOptions HealthJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>
    /// Registers the health checks, the HubSpot call metrics (a handler on the HubSpot clients and a decorator of the registered
    /// <see cref="IHubSpotRateLimiter"/>), the queue gauges, the OpenTelemetry pipelines (<see cref="WorkerTelemetry"/>) and JSON
    /// console logs in containers. Call it after the storage and HubSpot registrations, so it decorates the limiter actually in use.
    /// </summary>
    public static IHostApplicationBuilder AddDiagnostics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder is WebApplicationBuilder web)
        {
            ManagementPort.Listen(web);
        }

        var services = builder.Services;
        services.AddValidatedSection<DiagnosticsOptions, DiagnosticsOptionsRules>(builder.Configuration.GetSection(DiagnosticsOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        builder.AddWorkerTelemetry();

        if (UseJsonLogs(builder.Configuration))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.IncludeScopes = true;
            });
        }

        services.TryAddSingleton<HubSpotTokenProbe>();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>(StoreHealthCheck.Name, tags: [ReadyTag, ServingTag])
            .AddCheck<HubSpotTokenHealthCheck>(HubSpotTokenHealthCheck.Name, tags: [ReadyTag]);

        services.TryAddSingleton<HubSpotCallMetrics>();
        services.TryAddSingleton<QueueMetrics>();
        services.TryAddTransient<HubSpotCallMetricsHandler>();

        // Added after the library's own handlers, so this one is innermost and sees every attempt, retries included.
        services.AddHttpClient(UniqueName.ForType<IHubSpotContactsApi>()).AddHttpMessageHandler<HubSpotCallMetricsHandler>();
        services.AddHttpClient(UniqueName.ForType<IHubSpotPropertiesApi>()).AddHttpMessageHandler<HubSpotCallMetricsHandler>();
        DecorateRateLimiter(services);
        return builder;
    }

    /// <summary>
    /// <c>/alive</c> (the process answers: liveness), <c>/ready</c> (the store answers: readiness), <c>/health</c> (every check: the
    /// store, the HubSpot token, refused deliveries; 200 when healthy or degraded, 503 when unhealthy, with a JSON body naming each
    /// check) and the Prometheus endpoint, which with <see cref="DiagnosticsOptions.ManagementPort"/> answers only on that port.
    /// </summary>
    public static WebApplication MapDiagnostics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var path = app.Services.GetRequiredService<IOptions<DiagnosticsOptions>>().Value.MetricsPath;
        ManagementPort.Restrict(app, path);
        app.MapGet("/alive", () => Results.Text("alive"));
        app.MapHealthChecks("/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ServingTag),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthAsync,
        });

        // Built here so the pipeline listens and the queue gauges exist before the first scrape.
        _ = app.Services.GetRequiredService<MeterProvider>();
        _ = app.Services.GetRequiredService<QueueMetrics>();
        var prometheus = app.Services.GetRequiredService<PrometheusEndpoint>();
        app.MapGet(path, () => Results.Text(prometheus.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    internal static bool UseJsonLogs(IConfiguration configuration)
    {
        var format = configuration[LogFormatKey];
        if (!string.IsNullOrWhiteSpace(format))
        {
            return string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(configuration["DOTNET_RUNNING_IN_CONTAINER"] ?? Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase);
    }

    private static void DecorateRateLimiter(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IHubSpotRateLimiter) && !d.IsKeyedService);
        if (registered is null)
        {
            return;
        }

        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IHubSpotRateLimiter), sp => new MeasuredRateLimiter(
            Create(sp, registered), sp.GetRequiredService<HubSpotCallMetrics>(), sp.GetRequiredService<TimeProvider>()), registered.Lifetime));

        static IHubSpotRateLimiter Create(IServiceProvider sp, ServiceDescriptor descriptor) => descriptor switch
        {
            { ImplementationInstance: IHubSpotRateLimiter instance } => instance,
            { ImplementationFactory: { } factory } => (IHubSpotRateLimiter)factory(sp),
            { ImplementationType: { } type } => (IHubSpotRateLimiter)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException("The IHubSpotRateLimiter registration has no implementation."),
        };
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson));
    }
}
