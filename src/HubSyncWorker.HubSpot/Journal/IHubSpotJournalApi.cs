using Refit;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>
/// Refit contract of HubSpot's Webhooks Journal (2026-03): subscriptions (scopes <c>developer.webhooks_journal.subscriptions.read</c>/<c>.write</c>)
/// and the local journal (<c>developer.webhooks_journal.read</c>). The paths carry their date version: the journal exists only from 2026-03,
/// whatever <see cref="HubSpotOptions.ApiVersion"/> the CRM calls use.
/// </summary>
internal interface IHubSpotJournalApi
{
    [Get("/webhooks-journal/subscriptions/2026-03")]
    Task<IApiResponse<JournalSubscriptionList>> ListSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>Creates the subscription, or updates the one of the same type, object type and portal (an upsert).</summary>
    [Post("/webhooks-journal/subscriptions/2026-03")]
    Task<IApiResponse<JournalSubscription>> UpsertSubscriptionAsync([Body] JournalSubscriptionRequest request, CancellationToken cancellationToken);

    [Delete("/webhooks-journal/subscriptions/2026-03/{subscriptionId}")]
    Task<IApiResponse> DeleteSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> entries after <paramref name="offset"/>; 404 when the offset expired or never existed.</summary>
    [Get("/webhooks-journal/journal-local/2026-03/batch/{offset}/next/{count}")]
    Task<IApiResponse<JournalBatch>> NextBatchAsync(string offset, int count, CancellationToken cancellationToken);

    /// <summary>The oldest <paramref name="count"/> entries still retained.</summary>
    [Get("/webhooks-journal/journal-local/2026-03/batch/earliest/{count}")]
    Task<IApiResponse<JournalBatch>> EarliestBatchAsync(int count, CancellationToken cancellationToken);

    /// <summary>The newest entry (no content when the journal is empty).</summary>
    [Get("/webhooks-journal/journal-local/2026-03/latest")]
    Task<IApiResponse<JournalFetch>> LatestAsync(CancellationToken cancellationToken);
}
