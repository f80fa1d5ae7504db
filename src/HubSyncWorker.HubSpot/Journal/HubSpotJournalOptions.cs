using System.ComponentModel.DataAnnotations;
using HubSyncWorker.HubSpot.Settings;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>
/// The app credentials and token policy of the Webhooks Journal client (section <see cref="SectionName"/>). The journal is read with a
/// client-credentials token of the app (not the private app's static token) on <see cref="HubSpotOptions.BaseUrl"/>.
/// </summary>
public sealed class HubSpotJournalOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "HubSpotJournal";

    /// <summary>The journal scopes: read the journal, read and manage its subscriptions.</summary>
    public const string DefaultScopes =
        "developer.webhooks_journal.read developer.webhooks_journal.subscriptions.read developer.webhooks_journal.subscriptions.write";

    /// <summary>The app's client id (developer portal → the app → Auth).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The app's client secret. Set it through the environment (<c>HubSpotJournal__ClientSecret</c>) or a secret; never logged.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The scopes asked for, space-separated. Default <see cref="DefaultScopes"/>.</summary>
    public string Scopes { get; set; } = DefaultScopes;

    /// <summary>A token is renewed this long before it expires, so no call goes out with a token about to lapse. Default 5 minutes.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan TokenRenewBefore { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many pre-signed files are downloaded at once while reading a batch. Default 4.</summary>
    [Range(1, 32)]
    public int FileDownloadConcurrency { get; set; } = 4;

    /// <summary>The time allowed for one pre-signed file download. Default 30 seconds.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan FileDownloadTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
