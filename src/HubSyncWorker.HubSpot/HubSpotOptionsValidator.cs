using System.Globalization;
using HubSyncWorker.HubSpot.Versioning;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot;

/// <summary>
/// Checks each <see cref="HubSpotOptions"/> value on its own; every message names the key and the bad value
/// (except the token, which is only said to be missing or malformed, never printed).
/// </summary>
internal sealed class HubSpotOptionsValidator : IValidateOptions<HubSpotOptions>
{
    // Polly refuses timeouts outside 10 ms - 24 h and breaker durations under 500 ms: fail at start with our key names instead.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
    private static readonly TimeSpan MinBreakerDuration = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(Message(nameof(HubSpotOptions.BaseUrl), options.BaseUrl, "must be an absolute http(s) URL"));
        }
        else if (!options.AllowCustomBaseUrl && !IsHubSpotHost(baseUrl))
        {
            // Every request carries the access token: a mistyped or planted URL would hand it to another host.
            errors.Add(Message(nameof(HubSpotOptions.BaseUrl), options.BaseUrl,
                $"must be https on hubapi.com or a subdomain of it (e.g. https://api.hubapi.com), since the access token is sent there; set {Key(nameof(HubSpotOptions.AllowCustomBaseUrl))}=true for a stand-in or a proxy of your own"));
        }

        if (!HubSpotApiVersion.IsAllowed(options.ApiVersion))
        {
            errors.Add(Message(nameof(HubSpotOptions.ApiVersion), options.ApiVersion, $"must be one of {string.Join(", ", HubSpotApiVersion.Allowed)} (v3 only for an existing legacy private app)"));
        }

        if (string.IsNullOrWhiteSpace(options.AccessToken))
        {
            errors.Add($"{Key(nameof(HubSpotOptions.AccessToken))} is missing: set it to the HubSpot private-app access token (through the environment variable HubSpot__AccessToken or a secret).");
        }
        else if (options.AccessToken.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            // The value itself is a secret: say what is wrong with it without echoing it.
            errors.Add($"{Key(nameof(HubSpotOptions.AccessToken))} contains whitespace or control characters (value not shown).");
        }

        Range(errors, nameof(HubSpotOptions.RequestsPerTenSeconds), options.RequestsPerTenSeconds, 1, 1_000);
        Range(errors, nameof(HubSpotOptions.SearchRequestsPerSecond), options.SearchRequestsPerSecond, 1, 5);
        Range(errors, nameof(HubSpotOptions.RateLimitWindowMargin), options.RateLimitWindowMargin, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Range(errors, nameof(HubSpotOptions.MaxRetryAttempts), options.MaxRetryAttempts, 1, 20);
        Range(errors, nameof(HubSpotOptions.CircuitBreakerMinimumThroughput), options.CircuitBreakerMinimumThroughput, 2, 10_000);

        Range(errors, nameof(HubSpotOptions.AttemptTimeout), options.AttemptTimeout, MinTimeout, MaxTimeout);
        Range(errors, nameof(HubSpotOptions.TotalTimeout), options.TotalTimeout, MinTimeout, MaxTimeout);
        Range(errors, nameof(HubSpotOptions.RetryBaseDelay), options.RetryBaseDelay, TimeSpan.Zero, MaxDelay);
        Range(errors, nameof(HubSpotOptions.RetryMaxDelay), options.RetryMaxDelay, TimeSpan.Zero, MaxDelay);
        Range(errors, nameof(HubSpotOptions.TenSecondlyRetryDelay), options.TenSecondlyRetryDelay, TimeSpan.Zero, MaxDelay);
        Range(errors, nameof(HubSpotOptions.SecondlyRetryDelay), options.SecondlyRetryDelay, TimeSpan.Zero, MaxDelay);
        Range(errors, nameof(HubSpotOptions.LockedRetryDelay), options.LockedRetryDelay, TimeSpan.Zero, MaxDelay);
        Range(errors, nameof(HubSpotOptions.CircuitBreakerSamplingDuration), options.CircuitBreakerSamplingDuration, MinBreakerDuration, MaxTimeout);
        Range(errors, nameof(HubSpotOptions.CircuitBreakerBreakDuration), options.CircuitBreakerBreakDuration, MinBreakerDuration, MaxTimeout);

        if (!(options.CircuitBreakerFailureRatio > 0 && options.CircuitBreakerFailureRatio <= 1))
        {
            errors.Add(Message(nameof(HubSpotOptions.CircuitBreakerFailureRatio), options.CircuitBreakerFailureRatio.ToString(CultureInfo.InvariantCulture), "must be greater than 0 and at most 1"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static string Key(string property) => $"{HubSpotOptions.SectionName}:{property}";

    internal static string Message(string property, string? value, string rule) => $"{Key(property)} {rule} (was '{value}').";

    /// <summary>https on hubapi.com or a subdomain, on the default port.</summary>
    internal static bool IsHubSpotHost(Uri baseUrl) =>
        baseUrl.Scheme == Uri.UriSchemeHttps
        && baseUrl.IsDefaultPort
        && string.IsNullOrEmpty(baseUrl.UserInfo)
        && (string.Equals(baseUrl.Host, "hubapi.com", StringComparison.OrdinalIgnoreCase)
            || baseUrl.Host.EndsWith(".hubapi.com", StringComparison.OrdinalIgnoreCase));

    private static void Range(List<string> errors, string property, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(Message(property, value.ToString(CultureInfo.InvariantCulture), $"must be between {min} and {max}"));
        }
    }

    private static void Range(List<string> errors, string property, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add(Message(property, value.ToString("c", CultureInfo.InvariantCulture), $"must be between {min.ToString("c", CultureInfo.InvariantCulture)} and {max.ToString("c", CultureInfo.InvariantCulture)}"));
        }
    }
}

/// <summary>
/// Rules that relate several <see cref="HubSpotOptions"/> values; reports every broken rule at once, naming the keys and values.
/// </summary>
internal sealed class HubSpotOptionsCrossFieldValidator : IValidateOptions<HubSpotOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (options.AttemptTimeout >= options.TotalTimeout)
        {
            errors.Add(Pair(nameof(HubSpotOptions.AttemptTimeout), options.AttemptTimeout, "must be shorter than", nameof(HubSpotOptions.TotalTimeout), options.TotalTimeout));
        }

        if (options.RetryBaseDelay > options.RetryMaxDelay)
        {
            errors.Add(Pair(nameof(HubSpotOptions.RetryBaseDelay), options.RetryBaseDelay, "must not exceed", nameof(HubSpotOptions.RetryMaxDelay), options.RetryMaxDelay));
        }

        // A breaker that samples a shorter span than two attempts can never see the failures it should react to.
        if (options.CircuitBreakerSamplingDuration < 2 * options.AttemptTimeout)
        {
            errors.Add(Pair(nameof(HubSpotOptions.CircuitBreakerSamplingDuration), options.CircuitBreakerSamplingDuration, "must be at least twice", nameof(HubSpotOptions.AttemptTimeout), options.AttemptTimeout));
        }

        if (options.TenSecondlyRetryDelay >= options.TotalTimeout)
        {
            errors.Add(Pair(nameof(HubSpotOptions.TenSecondlyRetryDelay), options.TenSecondlyRetryDelay, "must be shorter than", nameof(HubSpotOptions.TotalTimeout), options.TotalTimeout));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Pair(string left, TimeSpan leftValue, string rule, string right, TimeSpan rightValue) =>
        string.Create(CultureInfo.InvariantCulture, $"{HubSpotOptionsValidator.Key(left)} ({leftValue:c}) {rule} {HubSpotOptionsValidator.Key(right)} ({rightValue:c}).");
}
