using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.RateLimiting;

/// <summary>
/// In-process <see cref="IHubSpotRateLimiter"/> that mirrors HubSpot's rolling windows: at most
/// <see cref="HubSpotOptions.RequestsPerTenSeconds"/> standard grants in any 10-second span and at most
/// <see cref="HubSpotOptions.SearchRequestsPerSecond"/> search grants in any 1-second span, each budget independent.
/// </summary>
/// <remarks>
/// A token bucket refilled at B/10 s would admit a full bucket plus a full refill (2B) within one rolling 10 s window,
/// which HubSpot answers with 429s. Here each budget keeps the times of its last B grants in a ring buffer: a request is
/// granted when the oldest of them has left the window. Waiters are served strictly first in, first out.
/// The budgets are read once at construction; a change needs a restart. Each 429 widens its budget's window by
/// <see cref="HubSpotOptions.RateLimitMarginStep"/>, at most <see cref="HubSpotOptions.MaxRateLimitWindowMargin"/> past where it started.
/// </remarks>
internal sealed class RollingWindowRateLimiter : IHubSpotRateLimiter, IDisposable
{
    private readonly RollingWindow _standard;
    private readonly RollingWindow _search;

    public RollingWindowRateLimiter(IOptions<HubSpotOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _standard = new RollingWindow(options.Value.RequestsPerTenSeconds, options.Value.StandardWindow, timeProvider);
        _search = new RollingWindow(options.Value.SearchRequestsPerSecond, options.Value.SearchWindow, timeProvider);
    }

    public ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken) =>
        Window(kind).AcquireAsync(cancellationToken);

    public ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        Window(kind).Pause(retryAfter);
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _standard.Dispose();
        _search.Dispose();
    }

    private RollingWindow Window(HubSpotRequestKind kind) => kind == HubSpotRequestKind.Search ? _search : _standard;

    /// <summary>One budget: B grants per rolling window W.</summary>
    private sealed class RollingWindow : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly TimeProvider _timeProvider;
        private readonly long _maxWindowTicks;
        private readonly long _stepTicks;
        private readonly long[] _grants;
        private readonly LinkedList<TaskCompletionSource> _waiters = new();
        private readonly ITimer _timer;
        private int _count;
        private int _oldest;
        private long _pausedUntil = long.MinValue;
        private long _windowTicks;
        private bool _disposed;

        public RollingWindow(int budget, TimeSpan window, TimeProvider timeProvider)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
            _timeProvider = timeProvider;
            _grants = new long[budget];
            _windowTicks = ToTimestampTicks(window);
            _maxWindowTicks = ToTimestampTicks(window + HubSpotOptions.MaxRateLimitWindowMargin);
            _stepTicks = ToTimestampTicks(HubSpotOptions.RateLimitMarginStep);
            _timer = timeProvider.CreateTimer(static state => ((RollingWindow)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public ValueTask AcquireAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskCompletionSource waiter;
            LinkedListNode<TaskCompletionSource> node;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var now = _timeProvider.GetTimestamp();
                if (_waiters.Count == 0 && TryGrant(now))
                {
                    return ValueTask.CompletedTask;
                }

                // Continuations run off the timer thread so one slow caller cannot hold up the grants behind it.
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                node = _waiters.AddLast(waiter);
                if (_waiters.Count == 1)
                {
                    ArmTimer(now);
                }
            }

            return new ValueTask(WaitAsync(node, waiter, cancellationToken));
        }

        public void Pause(TimeSpan duration)
        {
            if (duration <= TimeSpan.Zero)
            {
                return;
            }

            lock (_gate)
            {
                var now = _timeProvider.GetTimestamp();
                _pausedUntil = Math.Max(_pausedUntil, now + ToTimestampTicks(duration));
                _windowTicks = Math.Min(_windowTicks + _stepTicks, _maxWindowTicks);
                if (_waiters.Count > 0)
                {
                    ArmTimer(now);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                foreach (var waiter in _waiters)
                {
                    waiter.TrySetException(new ObjectDisposedException(nameof(RollingWindowRateLimiter)));
                }

                _waiters.Clear();
            }

            _timer.Dispose();
        }

        // Returns the waiter's own task (no async wrapper), so a grant completes it at the moment it is made.
        private Task WaitAsync(LinkedListNode<TaskCompletionSource> node, TaskCompletionSource waiter, CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                var registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
                waiter.Task.ContinueWith(
                    static (_, state) => ((CancellationTokenRegistration)state!).Dispose(),
                    registration,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return waiter.Task;
        }

        private void Cancel(LinkedListNode<TaskCompletionSource> node, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                // A waiter already granted keeps its grant; one still queued leaves without taking budget.
                if (node.List is null)
                {
                    return;
                }

                _waiters.Remove(node);
                Pump(_timeProvider.GetTimestamp());
            }

            node.Value.TrySetCanceled(cancellationToken);
        }

        private void OnTimer()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    Pump(_timeProvider.GetTimestamp());
                }
            }
        }

        // Grants queued waiters in order while the budget allows, then arms the timer for the next free slot.
        private void Pump(long now)
        {
            while (_waiters.First is { } first && TryGrant(now))
            {
                _waiters.RemoveFirst();
                first.Value.TrySetResult();
            }

            if (_waiters.Count > 0)
            {
                ArmTimer(now);
            }
        }

        private bool TryGrant(long now)
        {
            if (now < _pausedUntil)
            {
                return false;
            }

            if (_count < _grants.Length)
            {
                _grants[(_oldest + _count) % _grants.Length] = now;
                _count++;
                return true;
            }

            if (now - _grants[_oldest] < _windowTicks)
            {
                return false;
            }

            // The oldest grant has left the window: its slot takes the new grant, which is now the newest.
            _grants[_oldest] = now;
            _oldest = (_oldest + 1) % _grants.Length;
            return true;
        }

        private void ArmTimer(long now)
        {
            var nextFree = _count < _grants.Length ? now : _grants[_oldest] + _windowTicks;
            nextFree = Math.Max(nextFree, _pausedUntil);
            var due = Math.Max(nextFree - now, 1);
            _timer.Change(ToTimeSpan(due), Timeout.InfiniteTimeSpan);
        }

        private long ToTimestampTicks(TimeSpan span) => (long)Math.Ceiling(span.Ticks * (double)_timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);

        // Rounded up, so the timer never fires before the slot is free (it would only re-arm, but that costs a wake-up).
        private TimeSpan ToTimeSpan(long timestampTicks) =>
            TimeSpan.FromTicks((long)Math.Ceiling(timestampTicks * (double)TimeSpan.TicksPerSecond / _timeProvider.TimestampFrequency));
    }
}
