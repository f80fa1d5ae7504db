using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>Turns "Redis cannot be reached right now" into <see cref="StorageUnavailableException"/> so callers can answer 503 and lose nothing.</summary>
internal static class RedisFailures
{
    public static async Task<T> GuardAsync<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // StackExchange.Redis takes no CancellationToken; the command still completes (or times out) on its own.
            return await call().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new StorageUnavailableException($"Redis is unavailable ({operation}): {ex.Message}", ex);
        }
    }

    public static async Task GuardAsync(string operation, Func<Task> call, CancellationToken cancellationToken) =>
        await GuardAsync(operation, async () =>
        {
            await call();
            return true;
        }, cancellationToken);

    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        // A restarting or failing-over server answers with these before it can serve commands again; a full one (OOM) refuses
        // writes until memory is freed: either way the caller answers 503 or retries later.
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("OOM", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };
}
