using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sandbox;

/// <summary>Configuration of an in-process HubSpot sandbox portal.</summary>
/// <remarks>
/// The defaults are at least as strict as HubSpot (see HUBSPOT.md): a test that passes only because the sandbox is lenient hides a
/// production failure, so a test that needs leniency switches it on by name, here.
/// <list type="table">
/// <listheader><term>Limit or shape (HubSpot)</term><description>Default / leniency switch</description></listheader>
/// <item><term>100 requests per rolling 10 s (Free/Starter private app)</term><description>strict: <see cref="RequestsPerTenSeconds"/> = 100; leniency: raise it, or <see cref="EnforceRateLimits"/> = false</description></item>
/// <item><term>5 search requests per second</term><description>strict: <see cref="SearchRequestsPerSecond"/> = 5; leniency: raise it, or <see cref="EnforceRateLimits"/> = false</description></item>
/// <item><term>250,000 requests a day, <c>-Daily</c> headers</term><description>strict: <see cref="DailyLimit"/> = 250,000; leniency: null (no daily limit, no headers, like an OAuth app)</description></item>
/// <item><term>search is eventually consistent</term><description>strict: <see cref="SearchIndexLag"/> = 3 s; leniency: <c>TimeSpan.Zero</c></description></item>
/// <item><term>batch <c>errors[]</c> carry <c>subCategory</c> as an object</term><description>strict: <see cref="WriteSubCategoryInBatchErrors"/> = true; leniency: false</description></item>
/// <item><term>one invalid value may fail the whole batch (400)</term><description>off by default (207 per input, HubSpot's multi-status answer); <see cref="RejectWholeBatchOnInvalidValue"/> = true is the stricter mode</description></item>
/// <item><term>no webhook retry after 4xx (429 aside); retries only after a connection failure, a timeout, 5xx or 429</term><description>always</description></item>
/// <item><term>batch ≤ 100 inputs, ≤ 50 with <c>propertiesWithHistory</c>; search 200 a page, 10,000 results, 5 groups × 6 filters (18 in all), one sort, 3,000 characters; list 100 a page (50 with history)</term><description>always</description></item>
/// <item><term>date-versioned APIs (2026-03 option <c>displayOrder</c>, 2026-09 200-only batches and validation rules)</term><description>always, by the path a client calls</description></item>
/// </list>
/// </remarks>
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

    /// <summary>
    /// Requests allowed per UTC day, reported in the <c>X-HubSpot-RateLimit-Daily</c> headers. Default 250,000 (HubSpot's Free/Starter
    /// private-app limit); null means no daily limit and no <c>-Daily</c> headers (an OAuth app).
    /// </summary>
    public int? DailyLimit { get; set; } = 250_000;

    /// <summary>
    /// How long a change takes to become visible to the search endpoint. Default 3 s: HubSpot's search is eventually consistent and a
    /// just-created or just-modified contact shows up there a few seconds late, so a client that searches right after a write (or an
    /// incremental sync whose window ends "now") must overlap its windows or wait; with zero, a test of such a client passes against the
    /// sandbox and misses contacts in production. Set <c>TimeSpan.Zero</c> only where the lag is irrelevant to what a test checks.
    /// </summary>
    public TimeSpan SearchIndexLag { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Whether every entry of a batch answer's <c>errors[]</c> (HubSpot's <c>StandardError</c>) carries <c>subCategory</c> as a JSON object,
    /// as HubSpot's spec types it. Default true; false is a leniency for readers that cannot take an object there yet.
    /// The top-level error body keeps a string <c>subCategory</c> where it has one.
    /// </summary>
    public bool WriteSubCategoryInBatchErrors { get; set; } = true;

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

    /// <summary>
    /// How many times a failed delivery is retried before its events count as failed (HubSpot: 10). Default 10. Only a connection failure,
    /// a timeout, a 5xx or a 429 is retried; any other non-2xx answer (400, 401, 403, 404, 405...) loses the events for good, as at HubSpot.
    /// </summary>
    public int WebhookMaxRetries { get; set; } = 10;

    /// <summary>
    /// The shape of delivered events. Default <see cref="SandboxWebhookFormat.Legacy"/> (<c>contact.propertyChange</c>...);
    /// <see cref="SandboxWebhookFormat.Generic"/> delivers what a developer-platform project app's <c>crmObjects</c> subscriptions get.
    /// </summary>
    public SandboxWebhookFormat WebhookFormat { get; set; } = SandboxWebhookFormat.Legacy;

    /// <summary>The clock for rate windows, timestamps, search lag and webhook timing. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives one entry per API request once it is answered; null (the default) logs nothing. Must be thread-safe and fast.</summary>
    public Action<SandboxRequestLogEntry>? RequestLog { get; set; }

    /// <summary>Where the sandbox logs (webhook failures, start); null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The Webhooks Journal's client credentials, token and file-URL lifetimes, retention.</summary>
    public Journal.SandboxJournalOptions Journal { get; set; } = new();
}

/// <summary>One answered API request, for the request-log hook.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path and query string as received.</param>
/// <param name="Endpoint">The <see cref="SandboxEndpoint"/> name, or <c>unknown</c>.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="Duration">Time spent inside the sandbox, on its <see cref="SandboxOptions.TimeProvider"/>.</param>
/// <param name="ApiVersion">The API version of the path called; null when no endpoint matched.</param>
public sealed record SandboxRequestLogEntry(string Method, string Path, string Endpoint, int StatusCode, TimeSpan Duration, SandboxApiVersion? ApiVersion = null);

/// <summary>HubSpot's API versions the sandbox serves, each under its own paths.</summary>
public enum SandboxApiVersion
{
    /// <summary><c>/crm/v3/objects/contacts...</c>, <c>/crm/v3/properties/contacts...</c> (legacy; unsupported from September 2027).</summary>
    V3,

    /// <summary><c>/crm/objects/2026-03/contacts...</c>: v3's bodies; property options need <c>displayOrder</c>.</summary>
    March2026,

    /// <summary><c>/crm/objects/2026-09/contacts...</c>: batch answers are 200 only (errors inside); the portal's validation rules apply to writes.</summary>
    September2026,
}

/// <summary>The shape of webhook events the sandbox delivers.</summary>
public enum SandboxWebhookFormat
{
    /// <summary>Classic subscriptions (<c>legacyCrmObjects</c>): <c>contact.creation</c>, <c>contact.propertyChange</c>, ...</summary>
    Legacy,

    /// <summary>
    /// Generic subscriptions (<c>crmObjects</c> of a developer-platform project app): <c>object.creation</c>, <c>object.propertyChange</c>, ...
    /// with <c>objectTypeId</c> <c>0-1</c>; <c>contact.privacyDeletion</c> stays as it is (<c>hubEvents</c>).
    /// </summary>
    Generic,
}

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

        if (!Enum.IsDefined(options.WebhookFormat))
        {
            Fail(nameof(options.WebhookFormat), options.WebhookFormat, "must be Legacy or Generic");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
