using System.Net;
using HubSyncWorker.HubSpot.Errors;
using Refit;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// Innermost handler of the HubSpot clients: sees every attempt (retries included) and records its endpoint template (Refit's
/// route with <c>{placeholders}</c>, so ids never become labels), method and status, and the policy name of each 429; and counts it,
/// by <see cref="HubSpotCallKind"/>, in the tally of the operation that made it (<see cref="HubSpotCallTally"/>).
/// </summary>
internal sealed class HubSpotCallMetricsHandler(HubSpotCallMetrics metrics) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<string> TemplateKey = new(HttpRequestMessageOptions.RelativePathTemplate);

    /// <summary>Set on a request at its first attempt: the resilience handler sends the same request again for a retry.</summary>
    private static readonly HttpRequestOptionsKey<bool> AttemptedKey = new("HubSyncWorker.Diagnostics.Attempted");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = EndpointOf(request);
        var kind = HubSpotCallTally.KindOf(request, endpoint);
        var retry = request.Options.TryGetValue(AttemptedKey, out var attempted) && attempted;
        request.Options.Set(AttemptedKey, true);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            metrics.Request(endpoint, request.Method.Method, "error");
            HubSpotCallTally.Record(kind, retry, rateLimited: false);
            throw;
        }

        metrics.Request(endpoint, request.Method.Method, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        HubSpotCallTally.Record(kind, retry, rateLimited: response.StatusCode == HttpStatusCode.TooManyRequests);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Buffered by ReadAsync, so the rate-limit handler, the retry strategy and Refit read the same body again.
            var error = await HubSpotErrorBody.ReadAsync(response, cancellationToken);
            metrics.RateLimited(error?.PolicyName ?? "unknown");
        }

        return response;
    }

    /// <summary>The route template Refit put on the request; without one, the path with every numeric segment replaced.</summary>
    internal static string EndpointOf(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(TemplateKey, out var template) && !string.IsNullOrEmpty(template))
        {
            var query = template.IndexOf('?', StringComparison.Ordinal);
            return query < 0 ? template : template[..query];
        }

        var path = request.RequestUri?.AbsolutePath ?? "/";
        return string.Join('/', path.Split('/').Select(segment => segment.Length > 0 && segment.All(char.IsAsciiDigit) ? "{id}" : segment));
    }
}
