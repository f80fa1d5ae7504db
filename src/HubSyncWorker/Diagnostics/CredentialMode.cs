using HubSyncWorker.HubSpot.Versioning;

namespace HubSyncWorker.Diagnostics;

/// <summary>What the worker can do with the credentials it was given, in an operator's words, and what is missing (empty when nothing).</summary>
internal sealed record CredentialMode(string Mode, string Token, string ApiVersion, IReadOnlyList<string> Missing)
{
    /// <summary>The API version the HubSpot client uses when <c>HubSpot:ApiVersion</c> is not set.</summary>
    public const string DefaultApiVersion = HubSpotApiVersion.Default;

    /// <summary>
    /// Which credentials these settings amount to. A token alone cannot tell: a legacy private app's token starts with <c>pat-</c>,
    /// and HubSpot documents neither the form of a developer-platform app's static token nor that of a Service Key, so the mode
    /// follows what the settings ask for (webhooks need the app's signing secret; a Service Key has no webhooks) and the token
    /// is only described.
    /// </summary>
    public static CredentialMode Describe(string? token, string? apiVersion, bool webhooksEnabled, bool hasSigningSecret)
    {
        var missing = new List<string>();
        var version = string.IsNullOrWhiteSpace(apiVersion) ? DefaultApiVersion : apiVersion.Trim();
        var tokenKind = string.IsNullOrWhiteSpace(token) ? "none"
            : token.StartsWith("pat-", StringComparison.Ordinal) ? "pat- (a legacy private app's; a project app's static token may look the same: HubSpot documents no way to tell them apart)"
            : "not pat- (not a legacy private app's)";
        if (string.IsNullOrWhiteSpace(token))
        {
            missing.Add("no HubSpot:AccessToken (HubSpot__AccessToken): the static access token of the app in hubspot/, or a Service Key");
        }

        string mode;
        if (!webhooksEnabled)
        {
            mode = "polling only (Webhooks:Enabled=false): the incremental sync and resyncs find changes, no webhook endpoint; "
                + "what a Service Key allows (it cannot receive webhooks)";
        }
        else if (hasSigningSecret)
        {
            mode = "webhooks and polling: an app's token and its client secret, which signs deliveries (a project app from hubspot/, or an existing legacy private app)";
        }
        else
        {
            mode = "webhooks without a signing secret";
            missing.Add("Webhooks:Enabled is true but neither Webhooks:ClientSecret nor Webhooks:ClientSecrets is set, so every delivery would be refused: "
                + "set the app's client secret (hubspot/README.md), or with a Service Key, which has no webhooks, set Webhooks:Enabled=false");
        }

        if (string.Equals(version, HubSpotApiVersion.V3, StringComparison.OrdinalIgnoreCase))
        {
            missing.Add("HubSpot:ApiVersion is v3: HubSpot stops supporting the /crm/v3 paths and legacy private apps in September 2027; "
                + $"{DefaultApiVersion} works with the same token, and to move off the legacy private app create the project app from the "
                + $"repository's hubspot/ folder (hs project upload), install it, use its access token and client secret, and set HubSpot:ApiVersion={DefaultApiVersion}");
        }

        return new CredentialMode(mode, tokenKind, version, missing);
    }

    /// <summary>The mode of the worker's configuration (read as settings, so a setting another part of the worker adds is seen as written).</summary>
    public static CredentialMode FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var webhooks = configuration.GetSection("Webhooks");
        var enabled = !bool.TryParse(webhooks["Enabled"], out var on) || on;
        var secrets = webhooks.GetSection("ClientSecrets");
        var hasSecret = !string.IsNullOrWhiteSpace(webhooks["ClientSecret"])
            || !string.IsNullOrWhiteSpace(secrets.Value)
            || secrets.GetChildren().Any(s => !string.IsNullOrWhiteSpace(s.Value));
        return Describe(configuration["HubSpot:AccessToken"], configuration["HubSpot:ApiVersion"], enabled, hasSecret);
    }
}

/// <summary>Says at start which credential mode the worker runs in, and warns once about what is missing (never a token or a secret).</summary>
internal sealed class CredentialModeAnnouncement(IConfiguration configuration, ILogger<CredentialModeAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var mode = CredentialMode.FromConfiguration(configuration);
        CredentialLog.Mode(logger, mode.Mode, mode.Token, mode.ApiVersion);
        if (mode.Missing.Count > 0)
        {
            CredentialLog.Missing(logger, string.Join("; ", mode.Missing));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Credential log events (ids 4000-4099).</summary>
internal static partial class CredentialLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "HubSpot credentials: {CredentialMode}; token: {TokenKind}; API version {ApiVersion}")]
    public static partial void Mode(ILogger logger, string credentialMode, string tokenKind, string apiVersion);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "HubSpot credentials: {Missing}")]
    public static partial void Missing(ILogger logger, string missing);
}
