using System.Collections.Concurrent;

namespace HubSyncWorker.Sandbox.Faults;

/// <summary>A failure the sandbox answers instead of doing the work: an HTTP status, or a hang until the client gives up.</summary>
public sealed record SandboxFault
{
    private SandboxFault(int? statusCode, bool hang, TimeSpan? retryAfter)
    {
        StatusCode = statusCode;
        Hang = hang;
        RetryAfter = retryAfter;
    }

    /// <summary>The status answered (500, 502, 503, 423, 524...), null for a hang.</summary>
    public int? StatusCode { get; }

    /// <summary>True when the request is never answered (until the client disconnects or the sandbox stops).</summary>
    public bool Hang { get; }

    /// <summary>A <c>Retry-After</c> header to send with the status, if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Answer <paramref name="statusCode"/> with HubSpot's error body.</summary>
    public static SandboxFault Status(int statusCode, TimeSpan? retryAfter = null) => new(statusCode, hang: false, retryAfter);

    /// <summary>Never answer.</summary>
    public static SandboxFault HangForever { get; } = new(null, hang: true, null);
}

/// <summary>
/// Queued faults per endpoint: the next N requests to an endpoint (after authentication and rate limiting, so they consume budget
/// as real server errors do) get the fault instead of an answer.
/// </summary>
public sealed class SandboxFaults
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<SandboxFault>> _queued = new(StringComparer.Ordinal);

    /// <summary>Makes the next <paramref name="count"/> requests to <paramref name="endpoint"/> (a <see cref="SandboxEndpoint"/> name) fail with <paramref name="fault"/>.</summary>
    public void Inject(string endpoint, SandboxFault fault, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var queue = _queued.GetOrAdd(endpoint, static _ => new ConcurrentQueue<SandboxFault>());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>Drops every queued fault.</summary>
    public void Clear() => _queued.Clear();

    internal SandboxFault? Take(string endpoint) =>
        _queued.TryGetValue(endpoint, out var queue) && queue.TryDequeue(out var fault) ? fault : null;
}
