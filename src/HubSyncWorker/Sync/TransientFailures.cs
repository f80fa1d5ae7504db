using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Storage;

namespace HubSyncWorker.Sync;

/// <summary>Which failures say nothing about the work itself, so retrying later (uncounted) is right.</summary>
internal static class TransientFailures
{
    /// <summary>
    /// True for HubSpot unreachable or failing (timeouts, 5xx, the circuit open), its rate or daily limits, or the store
    /// unavailable: the queue consumer hands such a batch back uncounted, the property bootstrap retries.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HubSpotUnavailableException or HubSpotDailyLimitExceededException or StorageUnavailableException => true,
        HubSpotApiException api => (int)api.StatusCode is 429 or >= 500,
        _ => false,
    };
}
