using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Portal;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>The sandbox's realistic portal (<see cref="PortalGenerator"/>) as the tests seed it: same seed, same contacts.</summary>
internal static class PortalSeed
{
    /// <summary>The current values of contact number <paramref name="i"/> as <see cref="Seed"/> leaves them (0 to 2 conversions).</summary>
    public static Dictionary<string, string?> Contact(int i, DateTimeOffset now, int seed = 7) => Simple(seed).Contact(i, now);

    /// <summary>
    /// Adds <paramref name="count"/> contacts with 0 to 2 conversions each (the first and the latest are all there is: no history to
    /// read), unset values left unset; returns their ids. Sends no webhooks.
    /// </summary>
    public static List<string> Seed(HubSpotSandbox sandbox, int count, DateTimeOffset now, int seed = 7) =>
        Simple(seed).Seed(sandbox.Contacts, count, now);

    /// <summary>
    /// Adds <paramref name="count"/> contacts as real portals hold them: about a third have converted 3 to 6 times, each conversion
    /// recorded as HubSpot records it, so only the history holds those between the first and the latest. Sends no webhooks.
    /// </summary>
    public static List<string> SeedWithConversionHistories(HubSpotSandbox sandbox, int count, DateTimeOffset now, int seed = 7) =>
        new PortalGenerator(seed).Seed(sandbox.Contacts, count, now);

    private static PortalGenerator Simple(int seed) => new(seed, shareWithManyConversions: 0);
}
