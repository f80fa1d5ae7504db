using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>Health checks and metrics (section <c>Diagnostics</c>).</summary>
public sealed class DiagnosticsOptions
{
    public const string SectionName = "Diagnostics";

    /// <summary>
    /// How long the result of the HubSpot token check (one authenticated GET of the <c>lifecyclestage</c> property) is reused
    /// by <c>/health</c>, so probes never cost a HubSpot call each. Default: 5 minutes.
    /// </summary>
    [TimeSpanRange("00:00:10", "1.00:00:00")]
    public TimeSpan HubSpotTokenCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long <c>/health</c> waits for a due token check or a Redis PING before it answers with what it knows. Default: 2 seconds.
    /// Keep it below the readiness probe's timeout.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the work queue's depth and oldest-entry age are reused by <c>/metrics</c> (one store round trip per period at most).
    /// Default: 5 seconds; 0 reads on every scrape.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan QueueStatsCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Path of the Prometheus endpoint. Default: <c>/metrics</c>.</summary>
    [UrlPath]
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// A second port the worker listens on, the only one that serves <c>/admin/*</c> and the Prometheus endpoint, so a Service or
    /// Ingress that exposes the webhook port never exposes them (they answer 404 there). The probes (<c>/alive</c>, <c>/ready</c>,
    /// <c>/health</c>) answer on both. Default: none (everything on the one port).
    /// </summary>
    [Range(1, 65535)]
    public int? ManagementPort { get; set; }

    /// <summary>The optional export of metrics and traces over OTLP (section <c>Diagnostics:Otlp</c>). Default: off.</summary>
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>
/// Where the worker sends its metrics and traces over OTLP (section <c>Diagnostics:Otlp</c>). Off unless <see cref="Endpoint"/> is
/// set, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable (then the standard <c>OTEL_EXPORTER_OTLP_*</c> variables apply).
/// The Prometheus endpoint is served either way.
/// </summary>
public sealed class OtlpOptions
{
    /// <summary>OTLP over HTTP with protobuf bodies.</summary>
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>OTLP over gRPC.</summary>
    public const string Grpc = "grpc";

    /// <summary>
    /// The collector's base address, <c>http://</c> or <c>https://</c> (e.g. <c>http://otel-collector:4318</c>); with http/protobuf
    /// the worker posts to its <c>/v1/traces</c> and <c>/v1/metrics</c>. Default: none (no OTLP export).
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The OTLP transport: <c>http/protobuf</c> (default, port 4318 by convention) or <c>grpc</c> (4317).</summary>
    public string Protocol { get; set; } = HttpProtobuf;

    internal static bool TryParseEndpoint(string? text, out Uri address) =>
        Uri.TryCreate(text, UriKind.Absolute, out address!) && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps);

    internal static OpenTelemetry.Exporter.OtlpExportProtocol? ParseProtocol(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or HttpProtobuf => OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        Grpc => OpenTelemetry.Exporter.OtlpExportProtocol.Grpc,
        _ => null,
    };
}

/// <summary>The <see cref="DiagnosticsOptions"/> rules of the nested <c>Otlp</c> section, which the annotations of the top level do not reach.</summary>
internal sealed class DiagnosticsOptionsRules : IValidateOptions<DiagnosticsOptions>
{
    private const string Otlp = $"{DiagnosticsOptions.SectionName}:{nameof(DiagnosticsOptions.Otlp)}";

    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint) && !OtlpOptions.TryParseEndpoint(options.Otlp.Endpoint, out _))
        {
            errors.Add(SettingMessages.Invalid($"{Otlp}:Endpoint", options.Otlp.Endpoint, "must be an absolute http:// or https:// address (the OTLP collector's)"));
        }

        if (OtlpOptions.ParseProtocol(options.Otlp.Protocol) is null)
        {
            errors.Add(SettingMessages.Invalid($"{Otlp}:Protocol", options.Otlp.Protocol, $"must be '{OtlpOptions.HttpProtobuf}' or '{OtlpOptions.Grpc}'"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
