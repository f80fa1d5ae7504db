using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using HubSyncWorker.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>Why work that calls HubSpot is paused.</summary>
/// <param name="Since">When HubSpot first refused the token.</param>
/// <param name="Reason">What HubSpot answered, and to which call (never the token).</param>
/// <param name="NextCheckAt">When the next token check runs.</param>
internal sealed record HubSpotAccessPause(DateTimeOffset Since, string Reason, DateTimeOffset NextCheckAt);

/// <summary>
/// Whether work that calls HubSpot may run. A token HubSpot refuses (401: wrong, revoked, rotated away; 403: a scope missing) is no
/// contact's fault, so it must never count against queued contacts: the first 401 or 403 to any HubSpot call (or a token check
/// saying rejected) pauses. While paused, the queue consumer hands back the entries it holds uncounted and reads nothing, the scheduled
/// syncs skip their firings, and <c>/health</c> (<c>hubspot-access</c>) and the <c>hubsync_hubspot_token_rejected</c> gauge say why.
/// One token check (one cheap authenticated call) runs after 5 seconds, then at doubling intervals up to
/// <see cref="SyncOptions.TokenRecheckInterval"/>; the first accepted one resumes the work. The token is read per request, so a
/// rotated secret picked up by a configuration reload resumes the work too.
/// </summary>
internal sealed class HubSpotAccessGate : IDisposable
{
    private static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(5);

    private readonly HubSpotTokenProbe _probe;
    private readonly IOptionsMonitor<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HubSpotAccessGate> _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private HubSpotAccessPause? _pause;
    private TaskCompletionSource _opened = Opened();
    private bool _checking;

    public HubSpotAccessGate(
        HubSpotTokenProbe probe,
        IOptionsMonitor<SyncOptions> options,
        IMeterFactory meterFactory,
        TimeProvider timeProvider,
        ILogger<HubSpotAccessGate> logger)
    {
        _probe = probe;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _probe.Checked += OnChecked;
        if (_probe.Last is { State: TokenState.Rejected } last)
        {
            // A check that finished before this gate existed (a /health probe at start).
            Close(last.Description);
        }

        meterFactory.Create(SyncMetrics.MeterName).CreateObservableGauge("hubsync.hubspot.token_rejected", () => IsOpen ? 0 : 1, "{state}",
            "1 while HubSpot refuses the access token (401/403): the queue consumer and the scheduled syncs are paused, queued work is kept; 0 otherwise.");
    }

    /// <summary>True unless HubSpot refuses the token.</summary>
    public bool IsOpen => Pause is null;

    /// <summary>Why work is paused; null while it runs.</summary>
    public HubSpotAccessPause? Pause
    {
        get
        {
            lock (_gate)
            {
                return _pause;
            }
        }
    }

    /// <summary>Completes at once while open; otherwise when a token check is accepted (or <paramref name="cancellationToken"/> fires).</summary>
    public Task WaitUntilOpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _opened.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>HubSpot answered <paramref name="statusCode"/> (401 or 403) to <paramref name="call"/>: pauses the work until a token check is accepted.</summary>
    public void Reject(int statusCode, string call) =>
        Close(string.Create(CultureInfo.InvariantCulture, $"HubSpot answered HTTP {statusCode} to {call}: the access token is wrong, revoked or lacks a scope"));

    public void Dispose()
    {
        _probe.Checked -= OnChecked;
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private void OnChecked(TokenCheck check)
    {
        switch (check.State)
        {
            case TokenState.Accepted:
                Open();
                break;
            case TokenState.Rejected:
                Close(check.Description);
                break;
            default:
                // HubSpot could not be asked: nothing learnt about the token, so the state stays as it is.
                break;
        }
    }

    private void Close(string reason)
    {
        lock (_gate)
        {
            if (_pause is not null)
            {
                _pause = _pause with { Reason = reason };
                return;
            }

            var now = _timeProvider.GetUtcNow();
            _pause = new HubSpotAccessPause(now, reason, now + FirstDelay());
            _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            AccessLog.Paused(_logger, reason);
            if (!_checking)
            {
                _checking = true;
                _ = CheckUntilAcceptedAsync();
            }
        }
    }

    private void Open()
    {
        lock (_gate)
        {
            if (_pause is not { } pause)
            {
                return;
            }

            AccessLog.Resumed(_logger, (_timeProvider.GetUtcNow() - pause.Since).TotalSeconds);
            _pause = null;
            _opened.TrySetResult();
        }
    }

    /// <summary>The token checks of one pause, with backoff; they end once a check is accepted.</summary>
    private async Task CheckUntilAcceptedAsync()
    {
        var delay = FirstDelay();
        try
        {
            while (true)
            {
                await Task.Delay(delay, _timeProvider, _disposed.Token);
                await _probe.CheckNowAsync(_disposed.Token);
                delay = TimeSpan.FromTicks(Math.Min(_options.CurrentValue.TokenRecheckInterval.Ticks, delay.Ticks * 2));
                lock (_gate)
                {
                    if (_pause is null)
                    {
                        _checking = false;
                        return;
                    }

                    _pause = _pause with { NextCheckAt = _timeProvider.GetUtcNow() + delay };
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The process is stopping.
        }
    }

    private TimeSpan FirstDelay()
    {
        var max = _options.CurrentValue.TokenRecheckInterval;
        return max < FirstCheck ? max : FirstCheck;
    }

    private static TaskCompletionSource Opened()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        opened.SetResult();
        return opened;
    }
}

/// <summary>Reports every 401 and 403 HubSpot answers (retries included) to the <see cref="HubSpotAccessGate"/>.</summary>
internal sealed class HubSpotAccessHandler(IServiceProvider services) : DelegatingHandler
{
    // Resolved at the first refusal, not injected: the gate's token probe is itself a client of this handler.
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // The path only: neither headers nor query, so nothing secret.
            services.GetRequiredService<HubSpotAccessGate>().Reject((int)response.StatusCode, $"{request.Method} {request.RequestUri?.AbsolutePath}");
        }

        return response;
    }
}

/// <summary><c>/health</c> entry <c>hubspot-access</c>: degraded while work is paused for a refused token, saying since when, why and what happens next.</summary>
internal sealed class HubSpotAccessHealthCheck(HubSpotAccessGate gate) : IHealthCheck
{
    public const string Name = "hubspot-access";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (gate.Pause is not { } pause)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Taking work: HubSpot accepts the access token."));
        }

        // Degraded, not unhealthy: webhooks are still accepted and queued, so the pod stays in the Service.
        var data = new Dictionary<string, object>
        {
            ["pausedSince"] = pause.Since.ToString("O", CultureInfo.InvariantCulture),
            ["nextCheckAt"] = pause.NextCheckAt.ToString("O", CultureInfo.InvariantCulture),
        };
        return Task.FromResult(HealthCheckResult.Degraded(
            $"Paused: {pause.Reason}. Queued work is kept (not counted, never dead-lettered) and resumes once a token check is accepted.", data: data));
    }
}

internal static partial class AccessLog
{
    [LoggerMessage(EventId = 3550, Level = LogLevel.Error, Message = "Work paused: {Reason}. Queued work is kept and not counted; fix the token (HubSpot:AccessToken); work resumes by itself once HubSpot accepts one")]
    public static partial void Paused(ILogger logger, string reason);

    [LoggerMessage(EventId = 3551, Level = LogLevel.Information, Message = "HubSpot accepts the access token again; work resumes after {PausedSeconds:F0} s paused")]
    public static partial void Resumed(ILogger logger, double pausedSeconds);
}
