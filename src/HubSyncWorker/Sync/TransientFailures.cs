using System.Net;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Storage;

namespace HubSyncWorker.Sync;

/// <summary>Which failures say nothing about the work itself, so retrying later (uncounted) is right.</summary>
internal static class TransientFailures
{
    /// <summary>
    /// True for HubSpot unreachable or failing (timeouts, 5xx, the circuit open), its rate or daily limits, the portal being migrated
    /// (477) beyond the client's retries, or the store
    /// unavailable: the queue consumer hands such a batch back uncounted, the property bootstrap retries.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HubSpotUnavailableException or HubSpotDailyLimitExceededException or StorageUnavailableException => true,
        // A 400 (a value refused, a rule of the portal broken: MISSING_REQUIRED_PROPERTY and the like) is the work's own and never
        // retried. A 423 (a record locked) is the batch's own: counted, so one contact locked for good ends dead-lettered instead of holding its
        // batch-mates back forever.
        HubSpotApiException api => (int)api.StatusCode is 429 or 477 or >= 500,
        _ => false,
    };

    /// <summary>
    /// True for HubSpot refusing the access token (401; 403 for a missing scope): no contact's fault either, but not a passing one:
    /// the <see cref="HubSpotAccessGate"/> pauses the work until a token is accepted, and the entries in hand go back uncounted.
    /// </summary>
    public static bool IsAccessRejected(Exception exception) =>
        exception is HubSpotApiException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden };
}
