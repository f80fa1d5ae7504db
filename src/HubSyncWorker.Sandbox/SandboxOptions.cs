using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sandbox;

/// <summary>Configuration of an in-process HubSpot sandbox portal.</summary>
public sealed class SandboxOptions
{
    /// <summary>The configuration section the <c>demo</c> verb binds (<c>Sandbox</c>).</summary>
    public const string SectionName = "Sandbox";

    /// <summary>The private-app token every request must carry as <c>Authorization: Bearer</c>. Default <c>sandbox-token</c>.</summary>
    public string AccessToken { get; set; } = "sandbox-token";

    /// <summary>The portal (hub) id reported in webhooks. Default 62515.</summary>
    public long PortalId { get; set; } = 62515;

    /// <summary>Whether the rate limits below are enforced (429) at all. Default true.</summary>
    public bool EnforceRateLimits { get; set; } = true;

    /// <summary>Non-search requests allowed in any rolling 10-second window (HubSpot Free/Starter: 100). Default 100.</summary>
    public int RequestsPerTenSeconds { get; set; } = 100;

    /// <summary>Search requests allowed in any rolling 1-second window (HubSpot: 5). Default 5.</summary>
    public int SearchRequestsPerSecond { get; set; } = 5;

    /// <summary>Requests allowed per UTC day; null (the default) means no daily limit and no <c>-Daily</c> headers.</summary>
    public int? DailyLimit { get; set; }

    /// <summary>
    /// How long a change takes to become visible to the search endpoint (HubSpot's search is eventually consistent).
    /// Default zero: search sees every change at once.
    /// </summary>
    public TimeSpan SearchIndexLag { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether one invalid value fails a whole batch update with a 400 <c>VALIDATION_ERROR</c> that names no input, nothing written
    /// (HubSpot answers so without multi-status). Default false: a 207 with the invalid inputs' errors, the others written.
    /// </summary>
    public bool RejectWholeBatchOnInvalidValue { get; set; }

    /// <summary>Delay added to every API response before it is written. Default zero.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>The absolute URL webhooks are POSTed to; null (the default) turns webhooks off.</summary>
    public string? WebhookTargetUrl { get; set; }

    /// <summary>The app's client secret that signs webhooks (v3). Required when <see cref="WebhookTargetUrl"/> is set.</summary>
    public string? WebhookClientSecret { get; set; }

    /// <summary>The app id: reported as <c>appId</c> in webhooks and as <c>sourceId</c> of changes made through the API. Default 1160452.</summary>
    public long AppId { get; set; } = 1160452;

    /// <summary>How long the outbox gathers events before sending a batch that is not full (HubSpot batches up to 100). Default 100 ms.</summary>
    public TimeSpan WebhookFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a webhook delivery may take before it counts as failed (HubSpot: 5 s). Default 5 s.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay before the first retry of a failed delivery; doubles on each retry, capped at one minute. Default 1 s.</summary>
    public TimeSpan WebhookRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a failed delivery is retried before its events count as failed (HubSpot: 10). Default 10.</summary>
    public int WebhookMaxRetries { get; set; } = 10;

    /// <summary>The clock for rate windows, timestamps, search lag and webhook timing. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives one entry per API request once it is answered; null (the default) logs nothing. Must be thread-safe and fast.</summary>
    public Action<SandboxRequestLogEntry>? RequestLog { get; set; }

    /// <summary>Where the sandbox logs (webhook failures, start); null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>One answered API request, for the request-log hook.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path and query string as received.</param>
/// <param name="Endpoint">The <see cref="SandboxEndpoint"/> name, or <c>unknown</c>.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="Duration">Time spent inside the sandbox, on its <see cref="SandboxOptions.TimeProvider"/>.</param>
public sealed record SandboxRequestLogEntry(string Method, string Path, string Endpoint, int StatusCode, TimeSpan Duration);

/// <summary>Checks every <see cref="SandboxOptions"/> value and reports each bad one with its key and value.</summary>
internal sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        var errors = new List<string>();
        void Fail(string key, object? value, string rule) =>
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SandboxOptions.SectionName}:{key} = '{value}' {rule}."));

        if (string.IsNullOrWhiteSpace(options.AccessToken))
        {
            Fail(nameof(options.AccessToken), "", "must not be empty");
        }

        if (options.RequestsPerTenSeconds < 1)
        {
            Fail(nameof(options.RequestsPerTenSeconds), options.RequestsPerTenSeconds, "must be at least 1");
        }

        if (options.SearchRequestsPerSecond < 1)
        {
            Fail(nameof(options.SearchRequestsPerSecond), options.SearchRequestsPerSecond, "must be at least 1");
        }

        if (options.DailyLimit is < 1)
        {
            Fail(nameof(options.DailyLimit), options.DailyLimit, "must be at least 1 when set");
        }

        if (options.SearchIndexLag < TimeSpan.Zero)
        {
            Fail(nameof(options.SearchIndexLag), options.SearchIndexLag, "must not be negative");
        }

        if (options.Latency < TimeSpan.Zero)
        {
            Fail(nameof(options.Latency), options.Latency, "must not be negative");
        }

        if (options.WebhookTargetUrl is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                Fail(nameof(options.WebhookTargetUrl), url, "must be an absolute http(s) URL");
            }

            if (string.IsNullOrEmpty(options.WebhookClientSecret))
            {
                // The secret itself is never echoed; only its absence is reported.
                Fail(nameof(options.WebhookClientSecret), "", "is required when WebhookTargetUrl is set");
            }
        }

        if (options.WebhookFlushInterval <= TimeSpan.Zero)
        {
            Fail(nameof(options.WebhookFlushInterval), options.WebhookFlushInterval, "must be positive");
        }

        if (options.WebhookTimeout <= TimeSpan.Zero)
        {
            Fail(nameof(options.WebhookTimeout), options.WebhookTimeout, "must be positive");
        }

        if (options.WebhookRetryBaseDelay <= TimeSpan.Zero)
        {
            Fail(nameof(options.WebhookRetryBaseDelay), options.WebhookRetryBaseDelay, "must be positive");
        }

        if (options.WebhookMaxRetries < 0)
        {
            Fail(nameof(options.WebhookMaxRetries), options.WebhookMaxRetries, "must not be negative");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
