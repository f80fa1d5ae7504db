using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.HubSpot.Versioning;

namespace HubSyncWorker.HubSpot;

/// <summary>
/// Settings of the HubSpot CRM client (configuration section <c>HubSpot</c>).
/// </summary>
/// <remarks>
/// HubSpot's burst budget for a private app, per rolling 10 seconds (daily limits are per account):
/// <list type="table">
/// <listheader><term>plan</term><description>burst / daily</description></listheader>
/// <item><term>Free / Starter</term><description>100 per 10 s / 250,000 per day</description></item>
/// <item><term>Professional</term><description>190 per 10 s / 625,000 per day</description></item>
/// <item><term>Enterprise</term><description>190 per 10 s / 1,000,000 per day</description></item>
/// <item><term>API limit increase add-on</term><description>250 per 10 s / +1,000,000 per day each</description></item>
/// </list>
/// OAuth (public) apps get 110 per 10 s per installing account. Search endpoints allow 5 requests per second per account, separately.
/// </remarks>
public sealed class HubSpotOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "HubSpot";

    // Polly refuses timeouts outside 10 ms - 24 h and breaker durations under 500 ms: fail at start with our key names instead.
    private const string MinTimeout = "00:00:00.010";
    private const string MaxTimeout = "1.00:00:00";
    private const string MinBreakerDuration = "00:00:00.500";
    private const string MaxDelay = "01:00:00";

    /// <summary>
    /// Base URL of the HubSpot API. Default <c>https://api.hubapi.com</c>. It must be https on <c>hubapi.com</c> or one of its
    /// subdomains, since every request carries the access token, unless <see cref="AllowCustomBaseUrl"/> is true.
    /// </summary>
    [HttpUrl]
    public string BaseUrl { get; set; } = "https://api.hubapi.com";

    /// <summary>
    /// Allow a <see cref="BaseUrl"/> other than https on <c>*.hubapi.com</c>: for the sandbox, tests, the demo and a proxy of your
    /// own. The access token is sent to that host. Default: false.
    /// </summary>
    public bool AllowCustomBaseUrl { get; set; }

    /// <summary>
    /// The HubSpot API version every request path is built for. Default <c>2026-03</c>.
    /// <list type="bullet">
    /// <item><term><c>2026-03</c></term><description>HubSpot's date-versioned API of March 2026 (<c>/crm/objects/2026-03/contacts</c>,
    /// <c>/crm/properties/2026-03/contacts</c>); what a developer-platform project app or a Service Key uses.</description></item>
    /// <item><term><c>2026-09</c></term><description>September 2026: batch reads and updates answer 200 with per-input
    /// <c>errors[]</c> (no 207), and the portal's validation rules are enforced on writes (a refused contact is dead-lettered with the
    /// property named).</description></item>
    /// <item><term><c>v3</c></term><description>The legacy <c>/crm/v3/...</c> paths, for an existing legacy private app only:
    /// HubSpot stops supporting both v3 and legacy private apps in September 2027.</description></item>
    /// </list>
    /// </summary>
    [ApiVersion]
    public string ApiVersion { get; set; } = HubSpotApiVersion.Default;

    /// <summary>The private-app access token sent as <c>Authorization: Bearer</c>. Required; no default. Never logged.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Client-side budget of non-search requests per rolling 10-second window. Default 100 (Free / Starter);
    /// set 190 for Professional or Enterprise, 250 with the API limit increase add-on (see the remarks table).
    /// </summary>
    [Range(1, 1_000)]
    public int RequestsPerTenSeconds { get; set; } = 100;

    /// <summary>Client-side budget of search requests per rolling second. Default 4 (HubSpot allows 5; one is kept as headroom).</summary>
    [Range(1, 5)]
    public int SearchRequestsPerSecond { get; set; } = 4;

    /// <summary>
    /// Added to each rolling window the client-side limiter enforces (10 s + margin, 1 s + margin), so that network jitter between
    /// this process (or Redis) and HubSpot's own clock cannot squeeze one request too many into HubSpot's window. Default 200 ms
    /// (costs 2 % of throughput at most). It is where the limiter starts: each 429 of a budget widens that budget's
    /// margin by <see cref="RateLimitMarginStep"/>, at most <see cref="MaxRateLimitWindowMargin"/> past this one, for the life of the process (a
    /// loaded host whose requests reach HubSpot late stops drawing 429s after a few).
    /// </summary>
    [TimeSpanRange("00:00:00", "00:00:02")]
    public TimeSpan RateLimitWindowMargin { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How much a 429 widens its budget's window margin.</summary>
    public static readonly TimeSpan RateLimitMarginStep = TimeSpan.FromMilliseconds(250);

    /// <summary>How far past <see cref="RateLimitWindowMargin"/> 429s can widen a window.</summary>
    public static readonly TimeSpan MaxRateLimitWindowMargin = TimeSpan.FromSeconds(2);

    /// <summary>The rolling window of <see cref="RequestsPerTenSeconds"/>, margin included.</summary>
    public TimeSpan StandardWindow => TimeSpan.FromSeconds(10) + RateLimitWindowMargin;

    /// <summary>The rolling window of <see cref="SearchRequestsPerSecond"/>, margin included.</summary>
    public TimeSpan SearchWindow => TimeSpan.FromSeconds(1) + RateLimitWindowMargin;

    /// <summary>Timeout of one HTTP attempt. Default 10 seconds. Must be shorter than <see cref="TotalTimeout"/>.</summary>
    [TimeSpanRange(MinTimeout, MaxTimeout)]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one call including every retry and wait. Default 2 minutes.</summary>
    [TimeSpanRange(MinTimeout, MaxTimeout)]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many times a failed attempt is retried (429 other than DAILY, 423, 477, 5xx, network errors, attempt timeouts). Default 6.</summary>
    [Range(1, 20)]
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>Base delay of the jittered exponential backoff used for 5xx and network errors. Default 1 second.</summary>
    [TimeSpanRange("00:00:00", MaxDelay)]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single backoff delay (a <c>Retry-After</c> longer than this is still honoured). Default 30 seconds.</summary>
    [TimeSpanRange("00:00:00", MaxDelay)]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait after a 429 <c>TEN_SECONDLY_ROLLING</c> without <c>Retry-After</c>: the rolling window's length. Default 10 seconds.</summary>
    [TimeSpanRange("00:00:00", MaxDelay)]
    public TimeSpan TenSecondlyRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a search 429 <c>SECONDLY</c> without <c>Retry-After</c>. Default 1 second.</summary>
    [TimeSpanRange("00:00:00", MaxDelay)]
    public TimeSpan SecondlyRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait after a 423 (record locked) without <c>Retry-After</c>. Default 2 seconds.</summary>
    [TimeSpanRange("00:00:00", MaxDelay)]
    public TimeSpan LockedRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Share of failed attempts (5xx, network errors, attempt timeouts) that opens the circuit breaker. Default 0.5.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Window over which the failure ratio is measured. Default 30 seconds. Must be at least twice <see cref="AttemptTimeout"/>.</summary>
    [TimeSpanRange(MinBreakerDuration, MaxTimeout)]
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fewest attempts in the sampling window before the breaker may open. Default 20.</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>How long the breaker stays open before letting a trial call through. Default 15 seconds.</summary>
    [TimeSpanRange(MinBreakerDuration, MaxTimeout)]
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
