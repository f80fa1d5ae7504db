using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>
/// The settings of a worker pointed at a sandbox and a Redis, as the end-to-end webhook tests start it: webhooks signed with
/// <c>clientSecret</c>, its own key prefix, no incremental sync (so only webhooks bring changes), queue batches read at once.
/// A test passes what it changes or adds in <c>overrides</c>.
/// </summary>
internal static class SandboxWorkerSettings
{
    public static Dictionary<string, string?> For(
        HubSpotSandbox sandbox, string redisConnectionString, string clientSecret, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["HubSpot:AccessToken"] = sandbox.AccessToken,
            ["HubSpot:RequestsPerTenSeconds"] = sandbox.Options.RequestsPerTenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:ClientSecret"] = clientSecret,
            ["Redis:ConnectionString"] = redisConnectionString,
            ["Redis:KeyPrefix"] = RedisServerFixture.NewKeyPrefix(),
            ["Sync:IncrementalEnabled"] = "false",
            ["Sync:QueueBatchWindow"] = "00:00:00",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
