namespace HubSyncWorker.Storage;

/// <summary>How a run under a cluster-wide lock ended, seen from the lock.</summary>
internal enum LockRunOutcome
{
    /// <summary>The work ran to its end (its own result says how it went).</summary>
    Completed,

    /// <summary>Another process holds the lock (and the caller did not wait): the work did not start.</summary>
    HeldElsewhere,

    /// <summary>
    /// The lease was lost or in doubt mid-run (another holder took the lock, or it was not renewed for half its lifetime), and the
    /// work stopped without writing under it; the holder carries on from the last checkpoint this run was allowed to write.
    /// </summary>
    LockLost,
}

/// <summary>The end of a run under a lock: the work's result when it completed, why the lock was lost when it was.</summary>
internal sealed record LockRun<T>(LockRunOutcome Outcome, T? Value = default, string? LostReason = null);

/// <summary>
/// The one way a job runs once cluster-wide (the full resync, the incremental sync): take the lock, keep the lease alive while the
/// work runs (<see cref="LockLeaseKeeper"/>), hand the work the lease (its checkpoints are fenced on it) and the keeper (its
/// fencing check before each write), stop the work's writes in flight before the lock is released, and report a lost lock.
/// </summary>
internal static partial class LockedRun
{
    /// <summary>
    /// Runs <paramref name="work"/> under lock <paramref name="name"/>, leased for <paramref name="ttl"/> and renewed while it runs.
    /// With <paramref name="waitForLock"/>, a lock held elsewhere is tried again every sixth of the TTL until it is free.
    /// </summary>
    /// <remarks>
    /// The work gets a token cancelled by the caller's or by a lost lease. An exception the lost lease explains (a fencing check
    /// or a fenced checkpoint refused, or work cancelled by the lease) ends the run as <see cref="LockRunOutcome.LockLost"/>; any
    /// other exception, the caller's cancellation included, is the caller's to handle, after the lock is released.
    /// </remarks>
    public static async Task<LockRun<T>> RunUnderLockAsync<T>(
        this IDistributedLock locks,
        string name,
        TimeSpan ttl,
        bool waitForLock,
        Func<ILockLease, LockLeaseKeeper, CancellationToken, Task<T>> work,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(work);
        var lease = await locks.TryAcquireAsync(name, ttl, cancellationToken);
        while (lease is null && waitForLock)
        {
            WaitingForLock(logger, name);
            await Task.Delay(ttl / 6, timeProvider, cancellationToken);
            lease = await locks.TryAcquireAsync(name, ttl, cancellationToken);
        }

        if (lease is null)
        {
            return new LockRun<T>(LockRunOutcome.HeldElsewhere);
        }

        await using (lease)
        {
            await using var keeper = LockLeaseKeeper.Start(lease, ttl, timeProvider, logger);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.LeaseLost);
            try
            {
                return new LockRun<T>(LockRunOutcome.Completed, await work(lease, keeper, linked.Token));
            }
            catch (Exception ex) when (keeper.Explains(ex, cancellationToken))
            {
                // Whatever the lost lease interrupted (a write's retries, a HubSpot call, a refused checkpoint) ends here.
                LockLost(logger, name, lease.FencingToken, ex.Message);
                return new LockRun<T>(LockRunOutcome.LockLost, LostReason: ex.Message);
            }
            finally
            {
                // Work that ended early may still have writes in flight: they stop before the lease is released.
                await linked.CancelAsync();
            }
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning,
        Message = "The {LockName} lock (fencing token {FencingToken}) was lost; the run stopped without writing under it ({Reason}); the holder of the lock carries on from the last checkpoint")]
    private static partial void LockLost(ILogger logger, string lockName, long fencingToken, string reason);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Waiting for the {LockName} lock, held by a run elsewhere, to be released")]
    private static partial void WaitingForLock(ILogger logger, string lockName);
}
