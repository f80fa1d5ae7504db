using System.Net;
using System.Net.Http.Json;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Journal;
using HubSyncWorker.HubSpot.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.Auth;

/// <summary>
/// The app's client-credentials token (<c>POST /oauth/v1/token</c>): fetched on first use, cached, renewed
/// <see cref="HubSpotJournalOptions.TokenRenewBefore"/> before it expires, one request at a time however many callers wait. Neither the
/// secret nor the token is ever logged or put in an exception message.
/// </summary>
internal sealed partial class ClientCredentialsTokenProvider(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<HubSpotOptions> hubSpot,
    IOptionsMonitor<HubSpotJournalOptions> journal,
    TimeProvider time,
    ILogger<ClientCredentialsTokenProvider> logger) : IDisposable
{
    /// <summary>The named HttpClient of the token endpoint (no auth header, default loggers removed).</summary>
    public const string HttpClientName = "HubSpotJournalToken";

    // Where HubSpot's error bodies name scopes: the token endpoint's context, a call's errors[].context.
    private static readonly string[] ScopeKeys = ["missingScopes", "requiredGranularScopes", "requiredScopes"];

    private readonly SemaphoreSlim _renewing = new(1, 1);
    private CachedToken? _current;

    /// <summary>A token valid for at least <see cref="HubSpotJournalOptions.TokenRenewBefore"/> more.</summary>
    /// <exception cref="HubSpotJournalScopesRefusedException">The app may not hold the asked scopes.</exception>
    /// <exception cref="HubSpotJournalCredentialsRefusedException">The client id or secret was refused.</exception>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Valid() is { } token)
        {
            return token;
        }

        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (Valid() is { } renewed)
            {
                return renewed;
            }

            var fresh = await RequestAsync(cancellationToken);
            var lifetime = TimeSpan.FromSeconds(fresh.ExpiresIn);
            var renewBefore = journal.CurrentValue.TokenRenewBefore;

            // A token shorter-lived than the margin is used for half its life rather than renewed on every call.
            var renewAt = time.GetUtcNow() + (lifetime > 2 * renewBefore ? lifetime - renewBefore : lifetime / 2);
            Volatile.Write(ref _current, new CachedToken(fresh.AccessToken!, renewAt));
            LogTokenIssued(logger, lifetime, renewAt);
            return fresh.AccessToken!;
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>Drops <paramref name="token"/> after HubSpot refused it (401), so the next call gets a new one.</summary>
    public void Invalidate(string token)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Token == token)
        {
            Interlocked.CompareExchange(ref _current, null, current);
        }
    }

    public void Dispose() => _renewing.Dispose();

    private string? Valid()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && time.GetUtcNow() < current.RenewAt ? current.Token : null;
    }

    private async Task<ClientCredentialsToken> RequestAsync(CancellationToken cancellationToken)
    {
        var options = journal.CurrentValue;
        var client = httpClientFactory.CreateClient(HttpClientName);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = options.ClientId,
            ["client_secret"] = options.ClientSecret,
            ["scope"] = options.Scopes,
        });
        using var response = await client.PostAsync(new Uri(hubSpot.CurrentValue.BaseUrl.TrimEnd('/') + "/oauth/v1/token"), form, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var token = await response.Content.ReadFromJsonAsync<ClientCredentialsToken>(HubSpotJson.Options, cancellationToken);
            if (string.IsNullOrEmpty(token?.AccessToken) || token.ExpiresIn <= 0)
            {
                throw new HubSpotApiException(response.StatusCode, null, "client-credentials token (answer without access_token or expires_in)");
            }

            return token;
        }

        var error = HubSpotErrorBody.TryParse(await response.Content.ReadAsStringAsync(cancellationToken));
        LogTokenRefused(logger, (int)response.StatusCode, error?.Status ?? error?.Category);
        if (IsScopeRefusal(error))
        {
            throw new HubSpotJournalScopesRefusedException(response.StatusCode, error, MissingScopes(error) ?? [.. options.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }

        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized && (error?.Status ?? error?.Category ?? "").StartsWith("BAD_CLIENT", StringComparison.Ordinal))
        {
            throw new HubSpotJournalCredentialsRefusedException(response.StatusCode, error);
        }

        throw new HubSpotApiException(response.StatusCode, error, "client-credentials token");
    }

    internal static bool IsScopeRefusal(HubSpotErrorBody? error) =>
        error is not null && (error.Status is "BAD_SCOPES" || error.Category is "BAD_SCOPES" or "MISSING_SCOPES" || MissingScopes(error) is not null);

    internal static IReadOnlyList<string>? MissingScopes(HubSpotErrorBody? error)
    {
        var context = error?.Context ?? error?.Errors?.Select(e => e.Context).FirstOrDefault(c => c is not null);
        if (context is null)
        {
            return null;
        }

        var scopes = ScopeKeys.SelectMany(key => context.TryGetValue(key, out var values) ? values : []).Distinct(StringComparer.Ordinal).ToList();
        return scopes.Count == 0 ? null : scopes;
    }

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    [LoggerMessage(EventId = 1450, Level = LogLevel.Information, Message = "HubSpot client-credentials token issued for {Lifetime}; renewed from {RenewAt:O}")]
    private static partial void LogTokenIssued(ILogger logger, TimeSpan lifetime, DateTimeOffset renewAt);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Error, Message = "HubSpot refused the client-credentials token request with status {StatusCode} ({ErrorStatus})")]
    private static partial void LogTokenRefused(ILogger logger, int statusCode, string? errorStatus);
}
