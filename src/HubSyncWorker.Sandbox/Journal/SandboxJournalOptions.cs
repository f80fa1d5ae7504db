using System.Globalization;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sandbox.Journal;

/// <summary>
/// The Webhooks Journal side of the sandbox (<see cref="SandboxOptions.Journal"/>): the app's client credentials, how long a
/// client-credentials token and a pre-signed file URL live, and how long the journal keeps an entry.
/// </summary>
public sealed class SandboxJournalOptions
{
    /// <summary>The app's client id the token endpoint accepts.</summary>
    public string ClientId { get; set; } = "sandbox-client-id";

    /// <summary>The app's client secret the token endpoint accepts. Never logged.</summary>
    public string ClientSecret { get; set; } = "sandbox-client-secret";

    /// <summary>How long a client-credentials token is accepted (its <c>expires_in</c>); HubSpot's is 30 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the journal keeps an entry, on the sandbox clock (HubSpot: 3 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long a pre-signed file URL is accepted after the read that answered it.</summary>
    public TimeSpan FileUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Refuse every <c>developer.webhooks_journal.*</c> scope at the token endpoint, as HubSpot would for an app not allowed the journal.
    /// </summary>
    public bool RefuseJournalScopes { get; set; }

    internal void Validate()
    {
        var errors = new List<string>();
        void Fail(string key, object? value, string rule) =>
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SandboxOptions.SectionName}:Journal:{key} = '{value}' {rule}."));

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            Fail(nameof(ClientId), ClientId, "must not be empty");
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            // The secret itself is never echoed.
            Fail(nameof(ClientSecret), "", "must not be empty");
        }

        if (TokenLifetime <= TimeSpan.Zero)
        {
            Fail(nameof(TokenLifetime), TokenLifetime, "must be positive");
        }

        if (Retention <= TimeSpan.Zero)
        {
            Fail(nameof(Retention), Retention, "must be positive");
        }

        if (FileUrlLifetime <= TimeSpan.Zero)
        {
            Fail(nameof(FileUrlLifetime), FileUrlLifetime, "must be positive");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(SandboxOptions.SectionName + ":Journal", typeof(SandboxJournalOptions), errors);
        }
    }
}
