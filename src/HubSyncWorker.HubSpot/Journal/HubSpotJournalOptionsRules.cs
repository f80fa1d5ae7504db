using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>The <see cref="HubSpotJournalOptions"/> rules annotations cannot state: the credentials (the secret never echoed) and the scopes.</summary>
internal sealed class HubSpotJournalOptionsRules : IValidateOptions<HubSpotJournalOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotJournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add($"{Key(nameof(HubSpotJournalOptions.ClientId))} is missing: set it to the app's client id (developer portal, the app's Auth tab).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            errors.Add($"{Key(nameof(HubSpotJournalOptions.ClientSecret))} is missing: set it to the app's client secret (through the environment variable HubSpotJournal__ClientSecret or a secret).");
        }
        else if (options.ClientSecret.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(SettingMessages.InvalidSecret(Key(nameof(HubSpotJournalOptions.ClientSecret)), "must not contain whitespace or control characters"));
        }

        var scopes = options.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains(JournalScopes.Read, StringComparer.Ordinal))
        {
            errors.Add(SettingMessages.Invalid(Key(nameof(HubSpotJournalOptions.Scopes)), options.Scopes, $"must include {JournalScopes.Read}, without which the journal cannot be read"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Key(string property) => $"{HubSpotJournalOptions.SectionName}:{property}";
}

/// <summary>The OAuth scopes of the Webhooks Journal.</summary>
public static class JournalScopes
{
    /// <summary>Read the journal.</summary>
    public const string Read = "developer.webhooks_journal.read";

    /// <summary>List the journal subscriptions.</summary>
    public const string SubscriptionsRead = "developer.webhooks_journal.subscriptions.read";

    /// <summary>Create, update and delete journal subscriptions.</summary>
    public const string SubscriptionsWrite = "developer.webhooks_journal.subscriptions.write";
}
