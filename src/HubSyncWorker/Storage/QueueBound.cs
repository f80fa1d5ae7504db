using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Storage;

/// <summary>
/// Whether the work queue holds more than <see cref="RedisOptions.MaxQueueLength"/> entries (waiting and handed out), read at most
/// once per <see cref="ReadingLifetime"/> so a burst of deliveries costs the store one query a second. A reading that fails counts
/// as not full: the enqueue that follows fails too and is answered 503 on its own. Logs when the queue becomes full and when it
/// is below the maximum again, never once per delivery.
/// </summary>
internal sealed class QueueBound(IWorkQueue queue, IOptions<RedisOptions> options, TimeProvider timeProvider, ILogger<QueueBound> logger)
{
    internal static readonly TimeSpan ReadingLifetime = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private long _length;
    private long _readAt;
    private bool _read;
    private Task? _refresh;

    /// <summary>The entries on the queue at the last reading (waiting and handed out).</summary>
    public long LastLength => Volatile.Read(ref _length);

    /// <summary>True when the queue held more than the maximum at the latest reading (taken now when the last one is too old).</summary>
    public async ValueTask<bool> IsFullAsync(CancellationToken cancellationToken)
    {
        Task refresh;
        lock (_gate)
        {
            if (_read && timeProvider.GetElapsedTime(_readAt) < ReadingLifetime)
            {
                return _length > options.Value.MaxQueueLength;
            }

            _refresh ??= RefreshAsync();
            refresh = _refresh;
        }

        await refresh.WaitAsync(cancellationToken);
        return Volatile.Read(ref _length) > options.Value.MaxQueueLength;
    }

    private async Task RefreshAsync()
    {
        // Off the caller's lock: a store that answers at once would otherwise finish (and clear _refresh) before it is assigned.
        await Task.Yield();
        long length = 0;
        try
        {
            var stats = await queue.GetStatsAsync(CancellationToken.None);
            length = stats.Pending + stats.Unacknowledged;
        }
        catch (StorageUnavailableException)
        {
            // Unknown counts as not full: the enqueue will meet the same outage and answer 503 itself.
        }
        finally
        {
            var max = options.Value.MaxQueueLength;
            var wasFull = _read && Volatile.Read(ref _length) > max;
            if (length > max && !wasFull)
            {
                RedisSafetyLog.QueueFull(logger, length, max);
            }
            else if (length <= max && wasFull)
            {
                RedisSafetyLog.QueueBelowMaximum(logger, length, max);
            }

            lock (_gate)
            {
                Volatile.Write(ref _length, length);
                _readAt = timeProvider.GetTimestamp();
                _read = true;
                _refresh = null;
            }
        }
    }
}
