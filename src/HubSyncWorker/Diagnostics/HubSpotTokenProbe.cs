using System.Net;
using HubSyncWorker.HubSpot.Properties;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Diagnostics;

/// <summary>What HubSpot said about the access token the last time it was asked.</summary>
internal enum TokenState
{
    /// <summary>An authenticated call succeeded.</summary>
    Accepted,

    /// <summary>HubSpot answered 401 or 403: the token is wrong, revoked or lacks the contacts scopes.</summary>
    Rejected,

    /// <summary>HubSpot could not be asked (network error, timeout, 5xx, 429, open circuit): nothing is known about the token.</summary>
    Unknown,
}

/// <summary>One token check: its outcome, when it ran, and a description safe to show (never the token).</summary>
internal sealed record TokenCheck(TokenState State, DateTimeOffset CheckedAt, string Description);

/// <summary>
/// Checks the HubSpot private-app token with one cheap authenticated call (<c>GET /crm/properties/{version}/contacts/lifecyclestage</c>)
/// at most once per <see cref="DiagnosticsOptions.HubSpotTokenCheckInterval"/>; health probes read the cached result, so they never
/// cost a HubSpot call each. The call goes through the normal HubSpot pipeline: it reads the current (possibly rotated) token and
/// counts against the shared rate budget.
/// </summary>
internal sealed class HubSpotTokenProbe(
    IHubSpotPropertiesApi properties,
    IOptionsMonitor<DiagnosticsOptions> options,
    TimeProvider timeProvider,
    ILogger<HubSpotTokenProbe> logger)
{
    internal const string ProbedProperty = "lifecyclestage";

    /// <summary>Upper bound of one check, retries included; a slow HubSpot must not keep a check running for the pipeline's full timeout.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private TokenCheck? _last;
    private Task<TokenCheck>? _running;

    /// <summary>The last finished check, if any.</summary>
    public TokenCheck? Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Raised after every finished check, on the thread that ran it (the access gate follows the token's state through it).</summary>
    public event Action<TokenCheck>? Checked;

    /// <summary>Runs a check now whatever the cached result's age (joining one already running), and answers with its result.</summary>
    public Task<TokenCheck> CheckNowAsync(CancellationToken cancellationToken)
    {
        Task<TokenCheck> check;
        lock (_gate)
        {
            _running ??= CheckAndStoreAsync();
            check = _running;
        }

        return check.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The cached result while it is fresh; otherwise starts one check (never two at once) and waits for it up to
    /// <see cref="DiagnosticsOptions.HealthCheckTimeout"/>, answering with the previous result (or null) if it takes longer.
    /// </summary>
    public async Task<TokenCheck?> CurrentAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        Task<TokenCheck> check;
        lock (_gate)
        {
            if (_last is { } last && timeProvider.GetUtcNow() - last.CheckedAt < settings.HubSpotTokenCheckInterval)
            {
                return last;
            }

            // Not tied to the probe's token: a probe that gives up leaves the check running for the next one.
            _running ??= CheckAndStoreAsync();
            check = _running;
        }

        try
        {
            return await check.WaitAsync(settings.HealthCheckTimeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            return Last;
        }
    }

    private async Task<TokenCheck> CheckAndStoreAsync()
    {
        // Yield first so the caller's lock is released before any work runs on this path.
        await Task.Yield();
        TokenCheck result;
        try
        {
            result = await CheckAsync();
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }

        lock (_gate)
        {
            _last = result;
        }

        Checked?.Invoke(result);
        return result;
    }

    private async Task<TokenCheck> CheckAsync()
    {
        using var timeout = new CancellationTokenSource(CheckTimeout, timeProvider);
        try
        {
            using var response = await properties.GetAsync(ProbedProperty, timeout.Token);
            var now = timeProvider.GetUtcNow();
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                Log.TokenRejected(logger, (int)response.StatusCode);
                return new TokenCheck(TokenState.Rejected, now, $"HubSpot rejected the access token (HTTP {(int)response.StatusCode}).");
            }

            if (response.IsSuccessStatusCode)
            {
                if (_last?.State != TokenState.Accepted)
                {
                    Log.TokenAccepted(logger);
                }

                return new TokenCheck(TokenState.Accepted, now, "HubSpot accepted the access token.");
            }

            var answered = response.StatusCode is { } status ? $"HubSpot answered HTTP {(int)status}" : "HubSpot gave no answer";
            Log.TokenCheckFailed(logger, answered);
            return new TokenCheck(TokenState.Unknown, now, answered + "; the token could not be checked.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only the exception's type: messages of network errors may echo request details.
            var reason = ex is OperationCanceledException ? "no answer within " + CheckTimeout.TotalSeconds + " s" : ex.GetType().Name;
            Log.TokenCheckFailed(logger, reason);
            return new TokenCheck(TokenState.Unknown, timeProvider.GetUtcNow(), $"HubSpot could not be reached ({reason}); the token could not be checked.");
        }
    }
}
