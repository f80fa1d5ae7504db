using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Webhooks;

/// <summary>The HubSpot webhook receiver (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Serve the webhook endpoint. Default: <c>true</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path HubSpot posts to. Default: <c>/webhooks/hubspot</c>.</summary>
    [UrlPath]
    public string Path { get; set; } = "/webhooks/hubspot";

    /// <summary>
    /// The app's client secret that signs deliveries (this or <see cref="ClientSecrets"/> is required when <see cref="Enabled"/>).
    /// Never logged.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// More client secrets, accepted as well as <see cref="ClientSecret"/>: a delivery is valid when it verifies with any of them.
    /// For a rotation, list the new secret and the old one until HubSpot signs with the new one. Default: empty. Never logged.
    /// </summary>
    public List<string> ClientSecrets { get; set; } = [];

    /// <summary>
    /// The public URL HubSpot calls, without query string (e.g. <c>https://hubsync.example.com/webhooks/hubspot</c>).
    /// Set it behind a proxy or ingress: the v3 signature covers the URL HubSpot used, not the one the worker sees.
    /// Default: rebuilt from the request's scheme, host and raw target.
    /// </summary>
    [HttpUrl(Optional = true, WithoutQuery = true)]
    public string? PublicUrl { get; set; }

    /// <summary>Accept the older v1 signature (no replay protection). Default: <c>false</c>.</summary>
    public bool AcceptSignatureV1 { get; set; }

    /// <summary>Accept the older v2 signature (no replay protection). Default: <c>false</c>.</summary>
    public bool AcceptSignatureV2 { get; set; }

    /// <summary>How far a v3 timestamp may be from now. Default: 5 minutes (HubSpot's rule).</summary>
    [TimeSpanRange("00:00:01", "01:00:00", ErrorMessage = "HubSpot's rule is 00:05:00")]
    public TimeSpan MaxTimestampAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest accepted body; larger deliveries get 413. Default: 1 MiB (HubSpot sends at most 100 events).</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 16 * 1024 * 1024, ErrorMessage = "HubSpot sends at most 100 events")]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The ids of the HubSpot app(s) whose token the worker writes with: property changes whose <c>sourceId</c> is one of them are the
    /// worker's own echoes and never cause work. Default: empty (the output-property filter still guards against loops).
    /// </summary>
    public List<string> OwnAppIds { get; set; } = [];

    /// <summary>
    /// How long an accepted event's identity is remembered; longer than HubSpot's 24-hour retry window, so no retry is processed
    /// twice. Default: 25 hours.
    /// </summary>
    [TimeSpanRange("1.00:00:00", "7.00:00:00", MinimumIsExclusive = true, ErrorMessage = "longer than HubSpot's 24-hour retry window")]
    public TimeSpan DedupeTtl { get; set; } = TimeSpan.FromHours(25);

    /// <summary>Every configured client secret: <see cref="ClientSecret"/> first (when set), then <see cref="ClientSecrets"/>.</summary>
    internal IReadOnlyList<string> AllClientSecrets()
    {
        if (string.IsNullOrEmpty(ClientSecret))
        {
            return ClientSecrets;
        }

        return ClientSecrets.Count == 0 ? [ClientSecret] : [ClientSecret, .. ClientSecrets];
    }
}

/// <summary>The <see cref="WebhookOptions"/> rules the annotations cannot state: the secrets' (never echoed), those across fields, and list entries.</summary>
internal sealed class WebhookOptionsRules : IValidateOptions<WebhookOptions>
{
    private const string Section = WebhookOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.ClientSecrets.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.ClientSecrets[i]))
            {
                errors.Add($"{Section}:ClientSecrets:{i} is empty (remove the entry, or set it to one of the app's client secrets).");
            }
        }

        if (options.Enabled && string.IsNullOrWhiteSpace(options.ClientSecret) && options.ClientSecrets.Count == 0)
        {
            errors.Add($"{Section}:ClientSecret (or {Section}:ClientSecrets) is required when {Section}:Enabled is true (the HubSpot app's client secret; set it through the environment variable Webhooks__ClientSecret or a secret).");
        }
        else if (options.ClientSecret is { Length: > 0 } secret && string.IsNullOrWhiteSpace(secret))
        {
            errors.Add(SettingMessages.InvalidSecret($"{Section}:ClientSecret", "must not be only whitespace"));
        }

        for (var i = 0; i < options.OwnAppIds.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.OwnAppIds[i]))
            {
                errors.Add(SettingMessages.Invalid($"{Section}:OwnAppIds:{i}", options.OwnAppIds[i], "must be a HubSpot app id"));
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
