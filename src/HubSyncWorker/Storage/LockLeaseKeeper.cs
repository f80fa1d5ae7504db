namespace HubSyncWorker.Storage;

/// <summary>
/// Keeps a lock lease alive while a long job runs: renews it every third of its lifetime, and cancels <see cref="LeaseLost"/> as
/// soon as the lease is gone (renew answered false) or in doubt (no renewal confirmed for half its lifetime, e.g. while the store is
/// unreachable). Half, not all of it: the job's writes in flight (a HubSpot call with its retries) are cancelled while the lease
/// still has the other half to run, before another process can take the lock.
/// The job passes <see cref="LeaseLost"/> into its work, and calls <see cref="EnsureHeldAsync"/> before each write.
/// </summary>
internal sealed class LockLeaseKeeper : IAsyncDisposable
{
    private readonly ILockLease _lease;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly ITimer _doubt;
    private readonly Task _loop;
    private long _lastRenewed;
    private bool _disposed;

    private LockLeaseKeeper(ILockLease lease, TimeSpan ttl, TimeProvider timeProvider, ILogger logger)
    {
        _lease = lease;
        _ttl = ttl;
        _timeProvider = timeProvider;
        _logger = logger;

        // The lease was acquired (or last renewed) at the latest now: it runs until at least now + ttl.
        _lastRenewed = timeProvider.GetTimestamp();
        _doubt = timeProvider.CreateTimer(_ => DeclareInDoubt(), null, HalfLife, Timeout.InfiniteTimeSpan);
        _loop = RenewLoopAsync();
    }

    /// <summary>Cancelled once the lease is lost or in doubt; never cancelled by <see cref="DisposeAsync"/>.</summary>
    public CancellationToken LeaseLost => _lost.Token;

    private TimeSpan HalfLife => _ttl / 2;

    /// <summary>Starts renewing <paramref name="lease"/>, which was acquired for <paramref name="ttl"/>.</summary>
    public static LockLeaseKeeper Start(ILockLease lease, TimeSpan ttl, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        return new LockLeaseKeeper(lease, ttl, timeProvider, logger);
    }

    /// <summary>
    /// The fencing check before a write: throws <see cref="LockLostException"/> unless the lease was renewed less than half its
    /// lifetime ago and the store confirms it is still held. A write that passes has at least half the lifetime to finish in.
    /// </summary>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken)
    {
        if (_lost.IsCancellationRequested || _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastRenewed)) >= HalfLife)
        {
            throw new LockLostException($"The {_lease.Name} lock (fencing token {_lease.FencingToken}) was not renewed for half its lifetime ({HalfLife:c}); no write is made under it.");
        }

        if (!await _lease.IsStillHeldAsync(cancellationToken))
        {
            DeclareLost();
            throw new LockLostException($"The {_lease.Name} lock (fencing token {_lease.FencingToken}) is held by another process now; no write is made under it.");
        }
    }

    /// <summary>
    /// True when <paramref name="exception"/>, which ended the job, came from losing the lease: a fencing check or a fenced
    /// checkpoint refused, or work cancelled by <see cref="LeaseLost"/> rather than by the caller (<paramref name="callerToken"/>).
    /// </summary>
    public bool Explains(Exception exception, CancellationToken callerToken) =>
        exception is LockLostException || (_lost.IsCancellationRequested && !callerToken.IsCancellationRequested);

    /// <summary>Stops renewing (the lease itself is released by disposing it).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        await _doubt.DisposeAsync();
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

        // After a failed renewal, try again soon: at a third of the lifetime, one failure would already use up the half.
        var retry = _ttl / 12;
        var delay = interval;
        while (!_lost.IsCancellationRequested)
        {
            // ConfigureAwait(false), unlike the rest of the code: whatever context started the keeper, a renewal and its bookkeeping
            // run as one step on the thread that ends the delay, never queued behind the job's own work.
            await Task.Delay(delay, _timeProvider, _stop.Token).ConfigureAwait(false);
            var sent = _timeProvider.GetTimestamp();
            try
            {
                if (!await _lease.RenewAsync(_stop.Token).ConfigureAwait(false))
                {
                    DeclareLost();
                    return;
                }

                Renewed(sent);
                delay = interval;
            }
            catch (StorageUnavailableException ex)
            {
                Log.LockRenewFailed(_logger, ex, _lease.Name, _lease.FencingToken);
                delay = retry;
            }
        }
    }

    /// <summary>The store extended the lease when it ran the renewal, after <paramref name="sent"/>: counting from then errs safe.</summary>
    private void Renewed(long sent)
    {
        lock (_gate)
        {
            if (_disposed || _lost.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Exchange(ref _lastRenewed, sent);
            var left = HalfLife - _timeProvider.GetElapsedTime(sent);
            _doubt.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void DeclareInDoubt()
    {
        lock (_gate)
        {
            if (_disposed || _lost.IsCancellationRequested)
            {
                return;
            }

            Log.LockLeaseInDoubt(_logger, _lease.Name, _lease.FencingToken, HalfLife);
            _lost.Cancel();
        }
    }

    private void DeclareLost()
    {
        lock (_gate)
        {
            if (_disposed || _lost.IsCancellationRequested)
            {
                return;
            }

            Log.LockLeaseLost(_logger, _lease.Name, _lease.FencingToken);
            _lost.Cancel();
        }
    }
}
