namespace HubSyncWorker.HubSpot.Journal;

/// <summary>HubSpot's Webhooks Journal for the worker's app: its subscriptions and reads from an offset.</summary>
public interface IHubSpotJournalClient
{
    /// <summary>
    /// Makes the app's journal subscriptions match <paramref name="wanted"/>: each one already stored as wanted is left alone, any other is
    /// created or updated in place (HubSpot's POST is an upsert per type, object type and portal). Safe to run at every start, from every
    /// replica. Subscriptions of other types or object types are left as they are.
    /// </summary>
    /// <exception cref="HubSpotJournalScopesRefusedException">HubSpot refused the journal scopes.</exception>
    Task<JournalSubscriptionsEnsured> EnsureSubscriptionsAsync(IReadOnlyList<JournalSubscriptionRequest> wanted, CancellationToken cancellationToken);

    /// <summary>The app's journal subscriptions.</summary>
    Task<IReadOnlyList<JournalSubscription>> ListSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a subscription; false when HubSpot did not have it.</summary>
    Task<bool> DeleteSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="count"/> entries after <paramref name="offset"/> (from the oldest retained when null) and downloads each
    /// entry's pre-signed file (without the Authorization header). Empty when nothing is new.
    /// </summary>
    /// <exception cref="HubSpotJournalOffsetExpiredException">The offset is older than the retention (or unknown): resync, then restart from the latest.</exception>
    /// <exception cref="HubSpotJournalScopesRefusedException">HubSpot refused the journal scopes.</exception>
    Task<JournalPage> ReadAsync(string? offset, int count, CancellationToken cancellationToken);

    /// <summary>The newest entry's offset (to start reading from now), or null when the journal is empty.</summary>
    Task<string?> LatestOffsetAsync(CancellationToken cancellationToken);
}
