using System.Globalization;
using System.Text;
using HubSyncWorker.HubSpot.Webhooks;

namespace HubSyncWorker.Webhooks;

/// <summary>Why a delivery's signature was refused.</summary>
internal enum RefusalCause
{
    /// <summary>No signature header at all.</summary>
    MissingSignature,

    /// <summary>A v1 or v2 signature while only v3 is accepted.</summary>
    SignatureVersionNotAccepted,

    /// <summary>A v3 signature without a timestamp, or with one that is not a number.</summary>
    BadTimestamp,

    /// <summary>A v3 timestamp further from this host's clock than <see cref="WebhookOptions.MaxTimestampAge"/>.</summary>
    StaleTimestamp,

    /// <summary>The signature matches no client secret, at the signed URL or any likely other.</summary>
    BadSignature,

    /// <summary>The signature does not verify at the URL the worker signs with, but does at another one (the fix to suggest).</summary>
    UrlMismatch,
}

/// <summary>One refused delivery: why, and what would most likely fix it (a fixed phrase and URLs; never a secret or signature).</summary>
internal readonly record struct WebhookRefusal(RefusalCause Cause, string Fix);

/// <summary>The refusals of the last <see cref="WebhookRefusals.HealthWindow"/>, for <c>/health</c>.</summary>
/// <param name="Counts">Refusals by cause label, since <paramref name="Since"/>.</param>
/// <param name="Since">The first refusal of this run of refusals.</param>
/// <param name="LastAt">The latest refusal.</param>
/// <param name="Fixes">The likely fix of each cause, the most frequent cause first.</param>
internal sealed record WebhookRefusalSummary(IReadOnlyDictionary<string, long> Counts, DateTimeOffset Since, DateTimeOffset LastAt, IReadOnlyList<string> Fixes);

/// <summary>
/// Makes refused deliveries loud without flooding: each is counted by cause in <c>/metrics</c> at once, shows on <c>/health</c> as
/// degraded for <see cref="HealthWindow"/>, and is logged in one warning a minute at most, with the counts by cause since the
/// previous one. HubSpot never retries a delivery refused with 401, so every refusal is a change the worker only learns of
/// through the incremental sync; the operator must hear of it, and learn the likely fix.
/// </summary>
internal sealed class WebhookRefusals : IDisposable
{
    /// <summary>How long after the latest refusal <c>/health</c> still reports degraded.</summary>
    public static readonly TimeSpan HealthWindow = TimeSpan.FromMinutes(10);

    /// <summary>The least time between two refusal warnings.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private static readonly int CauseCount = Enum.GetValues<RefusalCause>().Length;

    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookRefusals> _logger;
    private readonly Lock _gate = new();

    // This run of refusals (for /health): counts, first and latest time; a gap longer than HealthWindow starts a new run. The latest
    // fix of each cause is kept across runs (the unlogged counts may still need it).
    private readonly long[] _recent = new long[CauseCount];
    private readonly string?[] _fixes = new string?[CauseCount];
    private DateTimeOffset _since;
    private DateTimeOffset? _lastAt;

    // Not yet logged (for the warning), and when the previous warning was written.
    private readonly long[] _unlogged = new long[CauseCount];
    private DateTimeOffset _unloggedSince;
    private DateTimeOffset? _loggedAt;
    private ITimer? _flush;
    private bool _disposed;

    public WebhookRefusals(WebhookMetrics metrics, TimeProvider time, ILogger<WebhookRefusals> logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>The cause of a verification result that is a refusal; null for <see cref="SignatureVerificationResult.Valid"/>.</summary>
    public static RefusalCause? CauseOf(SignatureVerificationResult result) => result switch
    {
        SignatureVerificationResult.MissingSignature => RefusalCause.MissingSignature,
        SignatureVerificationResult.VersionNotAccepted => RefusalCause.SignatureVersionNotAccepted,
        SignatureVerificationResult.MissingTimestamp => RefusalCause.BadTimestamp,
        SignatureVerificationResult.StaleTimestamp => RefusalCause.StaleTimestamp,
        SignatureVerificationResult.InvalidSignature => RefusalCause.BadSignature,
        _ => null,
    };

    /// <summary>The metric label of a cause (<c>missing_signature</c>, <c>signature_version_not_accepted</c>, <c>bad_timestamp</c>, <c>stale_timestamp</c>, <c>bad_signature</c>, <c>url_mismatch</c>).</summary>
    public static string Label(RefusalCause cause) => cause switch
    {
        RefusalCause.MissingSignature => "missing_signature",
        RefusalCause.SignatureVersionNotAccepted => "signature_version_not_accepted",
        RefusalCause.BadTimestamp => "bad_timestamp",
        RefusalCause.StaleTimestamp => "stale_timestamp",
        RefusalCause.BadSignature => "bad_signature",
        _ => "url_mismatch",
    };

    /// <summary>Counts a refused delivery, and logs the refusals so far when no warning was written in the last minute.</summary>
    public void Record(WebhookRefusal refusal)
    {
        _metrics.Refused(Label(refusal.Cause));
        var now = _time.GetUtcNow();
        string? summary = null;
        string? fixes = null;
        var count = 0L;
        var since = now;
        lock (_gate)
        {
            if (_lastAt is not { } last || now - last > HealthWindow)
            {
                Array.Clear(_recent);
                _since = now;
            }

            var index = (int)refusal.Cause;
            _recent[index]++;
            _fixes[index] = refusal.Fix;
            _lastAt = now;

            if (Sum(_unlogged) == 0)
            {
                _unloggedSince = now;
            }

            _unlogged[index]++;
            if (_loggedAt is not { } logged || now - logged >= LogInterval)
            {
                (summary, fixes, count, since) = TakeUnlogged(now);
            }
            else if (_flush is null && !_disposed)
            {
                // The refusals after this warning are logged when the minute is up, even if no other delivery comes.
                _flush = _time.CreateTimer(_ => Flush(), null, logged + LogInterval - now, Timeout.InfiniteTimeSpan);
            }
        }

        if (summary is not null)
        {
            WebhookLog.DeliveriesRefused(_logger, count, since, summary, fixes!);
        }
    }

    /// <summary>The refusals of the last <see cref="HealthWindow"/>, or null when there were none.</summary>
    public WebhookRefusalSummary? Recent()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_lastAt is not { } last || now - last > HealthWindow)
            {
                return null;
            }

            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            var causes = new List<RefusalCause>();
            for (var i = 0; i < CauseCount; i++)
            {
                if (_recent[i] > 0)
                {
                    counts[Label((RefusalCause)i)] = _recent[i];
                    causes.Add((RefusalCause)i);
                }
            }

            var fixes = causes.OrderByDescending(c => _recent[(int)c]).Select(c => _fixes[(int)c]!).Distinct(StringComparer.Ordinal).ToList();
            return new WebhookRefusalSummary(counts, _since, last, fixes);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _flush?.Dispose();
            _flush = null;
        }
    }

    private void Flush()
    {
        string? summary;
        string? fixes;
        long count;
        DateTimeOffset since;
        lock (_gate)
        {
            _flush?.Dispose();
            _flush = null;
            if (_disposed || Sum(_unlogged) == 0)
            {
                return;
            }

            (summary, fixes, count, since) = TakeUnlogged(_time.GetUtcNow());
        }

        WebhookLog.DeliveriesRefused(_logger, count, since, summary, fixes);
    }

    /// <summary>The counts by cause not yet logged, as text, and the likely fixes; resets them. Under the lock.</summary>
    private (string Summary, string Fixes, long Count, DateTimeOffset Since) TakeUnlogged(DateTimeOffset now)
    {
        var summary = new StringBuilder();
        var fixes = new List<(long Count, string Fix)>();
        var count = 0L;
        for (var i = 0; i < CauseCount; i++)
        {
            if (_unlogged[i] == 0)
            {
                continue;
            }

            summary.Append(summary.Length == 0 ? "" : ", ").Append(Label((RefusalCause)i)).Append('=').Append(_unlogged[i].ToString(CultureInfo.InvariantCulture));
            fixes.Add((_unlogged[i], _fixes[i]!));
            count += _unlogged[i];
        }

        Array.Clear(_unlogged);
        _loggedAt = now;
        var likely = string.Join(" ", fixes.OrderByDescending(f => f.Count).Select(f => f.Fix).Distinct(StringComparer.Ordinal));
        return (summary.ToString(), likely, count, _unloggedSince);
    }

    private static long Sum(long[] counts)
    {
        var sum = 0L;
        foreach (var count in counts)
        {
            sum += count;
        }

        return sum;
    }
}
