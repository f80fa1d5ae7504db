using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.Storage.Redis;

/// <summary>
/// Refuses to start on a Redis that may evict keys: under any <c>maxmemory-policy</c> but <c>noeviction</c>, a Redis short of
/// memory drops keys, and the ones it may pick include the queue stream with its pending entries, the checkpoints and the fencing
/// counters: work silently lost, a resync restarted, two replicas holding one lock. With <c>noeviction</c> a full Redis refuses
/// writes instead, which the worker answers with 503 (HubSpot retries) and retries of its own.
/// <para>
/// The policy is read from <c>INFO memory</c>, which managed services (ElastiCache, Azure Cache, Memorystore) answer even where
/// they disable <c>CONFIG</c>. When Redis is unreachable at start the check runs once it answers; a bad policy found then stops
/// the process with exit code 1. <see cref="RedisOptions.AllowEvictionPolicy"/> turns the refusal into a warning.
/// </para>
/// </summary>
internal sealed class RedisEvictionPolicyCheck(
    IConnectionMultiplexer redis,
    IOptions<RedisOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<RedisEvictionPolicyCheck> logger) : IHostedService, IDisposable
{
    /// <summary>The only policy under which Redis never drops a key on its own.</summary>
    internal const string SafePolicy = "noeviction";

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _deferred;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string? policy;
        try
        {
            policy = await ReadPolicyAsync(cancellationToken);
        }
        catch (StorageUnavailableException)
        {
            RedisSafetyLog.EvictionPolicyCheckDeferred(logger);
            _deferred = CheckWhenReachableAsync(_stopping.Token);
            return;
        }

        if (Judge(policy) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_deferred is { } deferred)
        {
            await deferred.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// The server's <c>maxmemory-policy</c>, or null when it does not say (a proxy or a managed service that hides <c>INFO</c>).
    /// Throws <see cref="StorageUnavailableException"/> when Redis cannot be reached.
    /// </summary>
    internal async Task<string?> ReadPolicyAsync(CancellationToken cancellationToken)
    {
        RedisResult info;
        try
        {
            // Through a script: the client sends INFO only in its admin mode, which the worker has no other use for.
            info = await RedisFailures.GuardAsync("read maxmemory-policy", () => redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.InfoMemory), cancellationToken);
        }
        catch (RedisServerException)
        {
            // INFO renamed or denied (an ACL user without @dangerous, a managed service): nothing to judge.
            return null;
        }

        foreach (var line in ((string?)info ?? string.Empty).Split('\n'))
        {
            if (line.StartsWith("maxmemory_policy:", StringComparison.Ordinal))
            {
                return line["maxmemory_policy:".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>The refusal message when the policy is unsafe and not allowed; logs what it decided otherwise.</summary>
    internal string? Judge(string? policy)
    {
        if (policy is null)
        {
            RedisSafetyLog.EvictionPolicyUnknown(logger);
            return null;
        }

        if (string.Equals(policy, SafePolicy, StringComparison.Ordinal))
        {
            return null;
        }

        if (options.Value.AllowEvictionPolicy)
        {
            RedisSafetyLog.EvictionPolicyAllowed(logger, policy);
            return null;
        }

        return $"Redis's maxmemory-policy is '{policy}': under it Redis may evict the work queue with its pending entries, the checkpoints " +
            $"and the fencing counters when memory runs short. Set maxmemory-policy to '{SafePolicy}' (CONFIG SET maxmemory-policy noeviction, " +
            $"or the parameter group of a managed Redis), or set {RedisOptions.SectionName}:{nameof(RedisOptions.AllowEvictionPolicy)}=true to accept the risk.";
    }

    private async Task CheckWhenReachableAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryInterval, timeProvider, cancellationToken);
                if (Judge(await ReadPolicyAsync(cancellationToken)) is { } refusal)
                {
                    RedisSafetyLog.EvictionPolicyRefused(logger, refusal);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }

                return;
            }
            catch (StorageUnavailableException)
            {
                // Still down: the next round tries again.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
