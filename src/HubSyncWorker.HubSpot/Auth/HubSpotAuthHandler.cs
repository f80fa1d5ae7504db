using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.Auth;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;private-app token&gt;</c> to every request. The token is read per request from
/// <see cref="IOptionsMonitor{TOptions}"/>, so a rotated token takes effect without a restart. It is never logged.
/// </summary>
internal sealed class HubSpotAuthHandler(IOptionsMonitor<HubSpotOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = options.CurrentValue.AccessToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException($"{HubSpotOptions.SectionName}:{nameof(HubSpotOptions.AccessToken)} is not set.");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}
