using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot;

/// <summary>
/// The <see cref="HubSpotOptions"/> rules the data annotations cannot state: those that relate several values, and the access
/// token's, which never echo it. Every broken rule is reported at once.
/// </summary>
internal sealed class HubSpotOptionsRules : IValidateOptions<HubSpotOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        // Every request carries the access token: a mistyped or planted URL would hand it to another host.
        // (A URL that is not http(s) at all is the annotation's to report.)
        if (!options.AllowCustomBaseUrl && Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl)
            && (baseUrl.Scheme == Uri.UriSchemeHttps || baseUrl.Scheme == Uri.UriSchemeHttp) && !IsHubSpotHost(baseUrl))
        {
            errors.Add(SettingMessages.Invalid(Key(nameof(HubSpotOptions.BaseUrl)), options.BaseUrl,
                $"must be https on hubapi.com or a subdomain of it (e.g. https://api.hubapi.com), since the access token is sent there; set {Key(nameof(HubSpotOptions.AllowCustomBaseUrl))}=true for a stand-in or a proxy of your own"));
        }

        if (string.IsNullOrWhiteSpace(options.AccessToken))
        {
            errors.Add($"{Key(nameof(HubSpotOptions.AccessToken))} is missing: set it to the HubSpot private-app access token (through the environment variable HubSpot__AccessToken or a secret).");
        }
        else if (options.AccessToken.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(SettingMessages.InvalidSecret(Key(nameof(HubSpotOptions.AccessToken)), "must not contain whitespace or control characters"));
        }

        Before(errors, nameof(HubSpotOptions.AttemptTimeout), options.AttemptTimeout, "must be shorter than", nameof(HubSpotOptions.TotalTimeout), options.TotalTimeout, options.AttemptTimeout < options.TotalTimeout);
        Before(errors, nameof(HubSpotOptions.RetryBaseDelay), options.RetryBaseDelay, "must not exceed", nameof(HubSpotOptions.RetryMaxDelay), options.RetryMaxDelay, options.RetryBaseDelay <= options.RetryMaxDelay);

        // A breaker that samples a shorter span than two attempts can never see the failures it should react to.
        Before(errors, nameof(HubSpotOptions.CircuitBreakerSamplingDuration), options.CircuitBreakerSamplingDuration, "must be at least twice", nameof(HubSpotOptions.AttemptTimeout), options.AttemptTimeout,
            options.CircuitBreakerSamplingDuration >= 2 * options.AttemptTimeout);
        Before(errors, nameof(HubSpotOptions.TenSecondlyRetryDelay), options.TenSecondlyRetryDelay, "must be shorter than", nameof(HubSpotOptions.TotalTimeout), options.TotalTimeout, options.TenSecondlyRetryDelay < options.TotalTimeout);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>https on hubapi.com or a subdomain, on the default port.</summary>
    internal static bool IsHubSpotHost(Uri baseUrl) =>
        baseUrl.Scheme == Uri.UriSchemeHttps
        && baseUrl.IsDefaultPort
        && string.IsNullOrEmpty(baseUrl.UserInfo)
        && (string.Equals(baseUrl.Host, "hubapi.com", StringComparison.OrdinalIgnoreCase)
            || baseUrl.Host.EndsWith(".hubapi.com", StringComparison.OrdinalIgnoreCase));

    private static string Key(string property) => $"{HubSpotOptions.SectionName}:{property}";

    private static void Before(List<string> errors, string left, TimeSpan leftValue, string rule, string right, TimeSpan rightValue, bool holds)
    {
        if (!holds)
        {
            errors.Add(SettingMessages.Invalid(Key(left), leftValue, rule, Key(right), rightValue));
        }
    }
}
