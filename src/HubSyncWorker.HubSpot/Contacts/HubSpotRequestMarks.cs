namespace HubSyncWorker.HubSpot.Contacts;

/// <summary>
/// What the client tells handlers about a request that its path does not say: a batch read with <c>propertiesWithHistory</c> costs
/// the same call as one without, but is a different read (50 inputs at most, and the one the resync's call budget turns on), so
/// whoever counts calls tells them apart by this mark instead of reading the body.
/// </summary>
internal static class HubSpotRequestMarks
{
    /// <summary>The <see cref="HttpRequestMessage.Options"/> key Refit sets (<c>[Property]</c>) on a batch read asking for history.</summary>
    public const string HistoryRead = "HubSyncWorker.HubSpot.HistoryRead";

    private static readonly HttpRequestOptionsKey<bool> HistoryReadKey = new(HistoryRead);

    /// <summary>True when the client marked <paramref name="request"/> as a batch read with <c>propertiesWithHistory</c>.</summary>
    public static bool IsHistoryRead(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(HistoryReadKey, out var history) && history;
    }
}
