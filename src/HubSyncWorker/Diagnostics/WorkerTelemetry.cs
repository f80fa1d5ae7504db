using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// The worker's metrics and traces through OpenTelemetry: one metric pipeline per host feeding the Prometheus endpoint (always) and
/// OTLP (when configured), and the <see cref="WorkerTracing"/> spans with ASP.NET Core's and HttpClient's exported over OTLP.
/// </summary>
internal static class WorkerTelemetry
{
    /// <summary>Every meter whose name starts with this is exported, whoever creates it (through the host's <see cref="IMeterFactory"/>).</summary>
    public const string MeterPrefix = "HubSyncWorker.";

    /// <summary>The standard OpenTelemetry variable that turns the OTLP export on when <c>Diagnostics:Otlp:Endpoint</c> is not set.</summary>
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The service name on exported telemetry (<c>OTEL_SERVICE_NAME</c> overrides it).</summary>
    public const string ServiceName = "hubsync-worker";

    /// <summary>The name OpenTelemetry's listener has in the host's metrics system.</summary>
    private const string ListenerName = "OpenTelemetry";

    /// <summary>Histogram buckets: seconds from 1 ms to about 2 minutes (rate-budget waits, queue latency); else powers of two from 1.</summary>
    private static readonly double[] SecondsBuckets = [.. Enumerable.Range(0, 18).Select(i => 0.001 * Math.Pow(2, i))];
    private static readonly double[] CountBuckets = [.. Enumerable.Range(0, 16).Select(i => Math.Pow(2, i))];

    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Meters are chosen by the host's metrics rules, not by OpenTelemetry's AddMeter: AddMeter listens to every meter of that name
        // in the process, while a Local rule takes only the meters of this host's IMeterFactory, so two hosts in one process (tests)
        // never count each other's measurements. The runtime's meter is one per process (Global).
        builder.Metrics.EnableMetrics(MeterPrefix, instrumentName: null, ListenerName, MeterScope.Local);
        builder.Metrics.EnableMetrics("Microsoft.AspNetCore.Hosting", instrumentName: null, ListenerName, MeterScope.Local);
        builder.Metrics.EnableMetrics("System.Net.Http", instrumentName: null, ListenerName, MeterScope.Local);
        builder.Metrics.EnableMetrics("System.Runtime", instrumentName: null, ListenerName, MeterScope.Global);

        var otlp = OtlpTarget.From(builder.Configuration);
        builder.Services.TryAddSingleton<PrometheusEndpoint>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceVersion: typeof(WorkerTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion)
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddView(HistogramBuckets);
                metrics.AddReader(sp => sp.GetRequiredService<PrometheusEndpoint>().Reader);
                otlp?.AddTo(metrics);
            });

        if (otlp is not null)
        {
            builder.Services.AddHostedService(sp => new OtlpAnnouncement(otlp.Describe(builder.Configuration), sp.GetRequiredService<ILogger<OtlpAnnouncement>>()));
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(WorkerTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbeOrScrape(context.Request.Path))
                    .AddHttpClientInstrumentation();
                otlp.AddTo(tracing);
            });
        }

        return builder;
    }

    /// <summary>Probes and scrapes come every few seconds and say nothing about the work: no trace for them.</summary>
    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/alive") || path.StartsWithSegments("/ready") || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    private static MetricStreamConfiguration? HistogramBuckets(Instrument instrument)
    {
        if (!instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal)
            || !instrument.GetType().IsGenericType || instrument.GetType().GetGenericTypeDefinition() != typeof(Histogram<>))
        {
            return null;
        }

        return new ExplicitBucketHistogramConfiguration { Boundaries = instrument.Unit == "s" ? SecondsBuckets : CountBuckets };
    }

    /// <summary>
    /// Where OTLP goes: <c>Diagnostics:Otlp:Endpoint</c> (the collector's base address; the per-signal paths are added for
    /// http/protobuf), else the standard <c>OTEL_EXPORTER_*</c> variables, read by the exporter itself; null when neither is set.
    /// </summary>
    private sealed record OtlpTarget(Uri? BaseAddress, OtlpExportProtocol Protocol)
    {
        public static OtlpTarget? From(IConfiguration configuration)
        {
            var otlp = configuration.GetSection(DiagnosticsOptions.SectionName).GetSection(nameof(DiagnosticsOptions.Otlp));
            var endpoint = otlp[nameof(OtlpOptions.Endpoint)];
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                // A value that is no http(s) address is reported by start-up validation, naming the key; nothing is exported meanwhile.
                return OtlpOptions.TryParseEndpoint(endpoint, out var address)
                    ? new OtlpTarget(address, OtlpOptions.ParseProtocol(otlp[nameof(OtlpOptions.Protocol)]) ?? OtlpExportProtocol.HttpProtobuf)
                    : null;
            }

            var standard = configuration[StandardEndpointVariable] ?? Environment.GetEnvironmentVariable(StandardEndpointVariable);
            return string.IsNullOrWhiteSpace(standard) ? null : new OtlpTarget(null, default);
        }

        /// <summary>Where the export goes, for the log: the address without user info or query (they may hold a credential).</summary>
        public string Describe(IConfiguration configuration)
        {
            var address = BaseAddress;
            if (address is null && !Uri.TryCreate(configuration[StandardEndpointVariable] ?? Environment.GetEnvironmentVariable(StandardEndpointVariable), UriKind.Absolute, out address))
            {
                return $"the address in {StandardEndpointVariable}";
            }

            var shown = address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
            return BaseAddress is null ? $"{shown} ({StandardEndpointVariable} and the other OTEL_EXPORTER_OTLP_* variables)" : $"{shown} ({(Protocol == OtlpExportProtocol.Grpc ? OtlpOptions.Grpc : OtlpOptions.HttpProtobuf)})";
        }

        public void AddTo(MeterProviderBuilder metrics)
        {
            if (BaseAddress is null)
            {
                metrics.AddOtlpExporter();
            }
            else
            {
                metrics.AddOtlpExporter(exporter => Configure(exporter, "v1/metrics"));
            }
        }

        public void AddTo(TracerProviderBuilder tracing)
        {
            if (BaseAddress is null)
            {
                tracing.AddOtlpExporter();
            }
            else
            {
                tracing.AddOtlpExporter(exporter => Configure(exporter, "v1/traces"));
            }
        }

        private void Configure(OtlpExporterOptions exporter, string signalPath)
        {
            exporter.Protocol = Protocol;
            var root = BaseAddress!.AbsoluteUri.EndsWith('/') ? BaseAddress : new Uri(BaseAddress.AbsoluteUri + "/");
            exporter.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(root, signalPath) : BaseAddress;
        }
    }
}

/// <summary>The Prometheus endpoint's reader of the metric pipeline (pull: it collects when scraped) and its text.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The MeterProvider owns the reader and disposes it, and with it the exporter.")]
internal sealed class PrometheusEndpoint
{
    private static readonly int CollectTimeoutMilliseconds = (int)TimeSpan.FromSeconds(30).TotalMilliseconds;

    private readonly PrometheusTextExporter _exporter = new();

    public PrometheusEndpoint() => Reader = new BaseExportingMetricReader(_exporter);

    public MetricReader Reader { get; }

    /// <summary>This host's metrics now, as Prometheus text.</summary>
    public string Scrape() => _exporter.Scrape(CollectTimeoutMilliseconds);
}

/// <summary>Says at start where metrics and traces are exported, so an operator sees the export is on.</summary>
internal sealed class OtlpAnnouncement(string target, ILogger<OtlpAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TelemetryLog.OtlpExport(logger, target);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Telemetry log events (ids 4200-4219).</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Metrics and traces are exported over OTLP to {Target}")]
    public static partial void OtlpExport(ILogger logger, string target);
}
