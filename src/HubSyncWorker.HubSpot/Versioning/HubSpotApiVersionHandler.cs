using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot.Versioning;

/// <summary>
/// Outermost handler of the HubSpot clients: turns the contracts' version-free paths into the configured version's
/// (<see cref="HubSpotApiVersion.Apply"/>), so every later handler, log line and metric sees the path HubSpot is really called on.
/// The version is read per request, like the base URL and token, so a reloaded setting applies to the next call.
/// </summary>
internal sealed class HubSpotApiVersionHandler(IOptionsMonitor<HubSpotOptions> options) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<string> TemplateKey = new(HttpRequestMessageOptions.RelativePathTemplate);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = options.CurrentValue.ApiVersion;
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            // Rebuilt from the escaped parts as they are (UriBuilder would escape the path a second time).
            request.RequestUri = new Uri(uri.GetLeftPart(UriPartial.Authority) + HubSpotApiVersion.Apply(uri.AbsolutePath, version) + uri.Query);
        }

        // The route template names the endpoint in metrics: it gets the version too, so a label is a path HubSpot documents.
        if (request.Options.TryGetValue(TemplateKey, out var template) && !string.IsNullOrEmpty(template))
        {
            request.Options.Set(TemplateKey, HubSpotApiVersion.Apply(template, version));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
