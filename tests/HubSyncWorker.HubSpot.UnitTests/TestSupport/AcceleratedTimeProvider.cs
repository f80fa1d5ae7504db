using System.Diagnostics;

namespace HubSyncWorker.HubSpot.UnitTests.TestSupport;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time, timers included, so HTTP tests against a real
/// WireMock server can exercise 10-second waits in a fraction of a second while every component sees consistent time.
/// (FakeTimeProvider cannot be used there: real sockets need real time to pass.)
/// </summary>
internal sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startUtc = DateTimeOffset.UtcNow;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => _start + (long)((Stopwatch.GetTimestamp() - _start) * factor);

    public override DateTimeOffset GetUtcNow() => _startUtc + GetElapsedTime(_start, GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / factor)));

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
