namespace HubSyncWorker.Storage;

/// <summary>
/// Keeps a lock lease alive while a long job runs: renews it every third of its lifetime and cancels <see cref="LeaseLost"/> when
/// the lease is gone (renew answered false, or the store stayed unreachable until the lease must have run out).
/// The job passes <see cref="LeaseLost"/> into its work so it stops before writing under a lock it no longer holds.
/// </summary>
internal sealed class LockLeaseKeeper : IAsyncDisposable
{
    private readonly ILockLease _lease;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LockLeaseKeeper(ILockLease lease, TimeSpan ttl, TimeProvider timeProvider, ILogger logger)
    {
        _lease = lease;
        _ttl = ttl;
        _timeProvider = timeProvider;
        _logger = logger;
        _loop = RenewLoopAsync();
    }

    /// <summary>Cancelled once the lease is lost; never cancelled by <see cref="DisposeAsync"/>.</summary>
    public CancellationToken LeaseLost => _lost.Token;

    /// <summary>Starts renewing <paramref name="lease"/>, which was acquired for <paramref name="ttl"/>.</summary>
    public static LockLeaseKeeper Start(ILockLease lease, TimeSpan ttl, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        return new LockLeaseKeeper(lease, ttl, timeProvider, logger);
    }

    /// <summary>Stops renewing (the lease itself is released by disposing it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var interval = _ttl / 3;
        var lastRenewed = _timeProvider.GetTimestamp();
        while (true)
        {
            await Task.Delay(interval, _timeProvider, _stop.Token);
            try
            {
                if (!await _lease.RenewAsync(_stop.Token))
                {
                    break;
                }

                lastRenewed = _timeProvider.GetTimestamp();
            }
            catch (StorageUnavailableException ex)
            {
                Log.LockRenewFailed(_logger, ex, _lease.Name, _lease.FencingToken);
                if (_timeProvider.GetElapsedTime(lastRenewed) >= _ttl)
                {
                    break;
                }
            }
        }

        Log.LockLeaseLost(_logger, _lease.Name, _lease.FencingToken);
        await _lost.CancelAsync();
    }
}
