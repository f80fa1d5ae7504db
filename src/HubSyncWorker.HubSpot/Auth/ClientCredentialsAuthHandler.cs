using System.Net;
using System.Net.Http.Headers;

namespace HubSyncWorker.HubSpot.Auth;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;client-credentials token&gt;</c> to each journal call. A 401 drops the token and the call is sent
/// once more with a new one (a token revoked or expired early at HubSpot); a second 401 is the caller's.
/// </summary>
internal sealed class ClientCredentialsAuthHandler(ClientCredentialsTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        // Only body-less calls are replayed here: a sent body cannot be read twice. Writes meet the 401 and the caller retries.
        response.Dispose();
        tokens.Invalidate(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
