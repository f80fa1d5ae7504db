using System.Globalization;
using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>Every call the sandbox answered, by endpoint and status, for a test's output (all of them, not only the expected ones).</summary>
internal static class SandboxCalls
{
    public static string Describe(SandboxStats stats) => string.Join(", ", stats.RequestsByEndpointAndStatus
        .OrderBy(e => e.Key.Endpoint, StringComparer.Ordinal).ThenBy(e => e.Key.Status)
        .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key.Endpoint} {e.Key.Status}: {e.Value}"))
        .Append(string.Create(CultureInfo.InvariantCulture, $"of which batch read (current): {stats.CurrentBatchReads()}, batch read (history): {stats.HistoryBatchReads()}")));
}
