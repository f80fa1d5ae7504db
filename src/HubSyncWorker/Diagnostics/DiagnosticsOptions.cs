using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>Health checks and metrics (section <c>Diagnostics</c>).</summary>
public sealed class DiagnosticsOptions
{
    public const string SectionName = "Diagnostics";

    /// <summary>
    /// How long the result of the HubSpot token check (one authenticated GET of the <c>lifecyclestage</c> property) is reused
    /// by <c>/health</c>, so probes never cost a HubSpot call each. Default: 5 minutes. Range: 10 seconds to 1 day.
    /// </summary>
    public TimeSpan HubSpotTokenCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long <c>/health</c> waits for a due token check or a Redis PING before it answers with what it knows. Default: 2 seconds.
    /// Range: 100 milliseconds to 1 minute; keep it below the readiness probe's timeout.
    /// </summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the work queue's depth and oldest-entry age are reused by <c>/metrics</c> (one store round trip per period at most).
    /// Default: 5 seconds. Range: 0 (read on every scrape) to 5 minutes.
    /// </summary>
    public TimeSpan QueueStatsCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Path of the Prometheus endpoint. Default: <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// A second port the worker listens on, the only one that serves <c>/admin/*</c> and the Prometheus endpoint, so a Service or
    /// Ingress that exposes the webhook port never exposes them (they answer 404 there). The probes (<c>/alive</c>, <c>/ready</c>,
    /// <c>/health</c>) answer on both. Default: none (everything on the one port). Range 1-65535.
    /// </summary>
    public int? ManagementPort { get; set; }
}

/// <summary>Checks every <see cref="DiagnosticsOptions"/> value and reports all errors at once, naming the key and the bad value.</summary>
internal sealed class DiagnosticsOptionsValidator : IValidateOptions<DiagnosticsOptions>
{
    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var s = DiagnosticsOptions.SectionName;
        if (options.HubSpotTokenCheckInterval < TimeSpan.FromSeconds(10) || options.HubSpotTokenCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{s}:HubSpotTokenCheckInterval must be between 00:00:10 and 1.00:00:00; was '{options.HubSpotTokenCheckInterval}'.");
        }

        if (options.HealthCheckTimeout < TimeSpan.FromMilliseconds(100) || options.HealthCheckTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{s}:HealthCheckTimeout must be between 00:00:00.1 and 00:01:00; was '{options.HealthCheckTimeout}'.");
        }

        if (options.QueueStatsCacheDuration < TimeSpan.Zero || options.QueueStatsCacheDuration > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{s}:QueueStatsCacheDuration must be between 00:00:00 and 00:05:00; was '{options.QueueStatsCacheDuration}'.");
        }

        if (string.IsNullOrWhiteSpace(options.MetricsPath) || !options.MetricsPath.StartsWith('/'))
        {
            errors.Add($"{s}:MetricsPath must be a path starting with '/'; was '{options.MetricsPath}'.");
        }

        if (options.ManagementPort is < 1 or > 65535)
        {
            errors.Add($"{s}:ManagementPort must be between 1 and 65535; was '{options.ManagementPort}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
