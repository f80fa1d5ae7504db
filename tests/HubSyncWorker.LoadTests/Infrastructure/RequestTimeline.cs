using System.Collections.Concurrent;
using System.Diagnostics;
using HubSyncWorker.Sandbox;

namespace HubSyncWorker.LoadTests.Infrastructure;

/// <summary>
/// Every request the sandbox answered, with the time it was answered (on this process's monotonic clock), so a run can be
/// checked against the rolling window afterwards: how busy each 10-second span was and where the budget went unused.
/// </summary>
internal sealed class RequestTimeline
{
    private readonly ConcurrentQueue<(TimeSpan At, string Endpoint, int Status, TimeSpan Duration)> _entries = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _recording;

    public void Record(SandboxRequestLogEntry entry)
    {
        if (_recording)
        {
            _entries.Enqueue((_clock.Elapsed, entry.Endpoint, entry.StatusCode, entry.Duration));
        }
    }

    public TimeSpan Now => _clock.Elapsed;

    public void Start()
    {
        _entries.Clear();
        _recording = true;
    }

    public void Stop() => _recording = false;

    public IReadOnlyList<(TimeSpan At, string Endpoint, int Status, TimeSpan Duration)> Entries => [.. _entries.OrderBy(e => e.At)];

    /// <summary>Requests answered per whole second since <paramref name="origin"/> (non-429 only), e.g. "0s:100 1s:0 ... 10s:100".</summary>
    public string PerSecond(TimeSpan origin)
    {
        var buckets = new SortedDictionary<int, (int Ok, int Limited)>();
        foreach (var entry in Entries)
        {
            var second = (int)Math.Floor((entry.At - origin).TotalSeconds);
            var current = buckets.GetValueOrDefault(second);
            buckets[second] = entry.Status == 429 ? (current.Ok, current.Limited + 1) : (current.Ok + 1, current.Limited);
        }

        return string.Join(' ', buckets.Select(b => b.Value.Limited > 0 ? $"{b.Key}s:{b.Value.Ok}(+{b.Value.Limited}x429)" : $"{b.Key}s:{b.Value.Ok}"));
    }
}
