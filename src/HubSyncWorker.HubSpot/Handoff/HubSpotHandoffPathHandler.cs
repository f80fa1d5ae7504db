using System.Text.RegularExpressions;
using HubSyncWorker.HubSpot.Versioning;
using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot.Handoff;

/// <summary>
/// Versions the two paths of the handoff clients that <see cref="HubSpotApiVersion.Apply"/> leaves alone, right after
/// <see cref="HubSpotApiVersionHandler"/> (on the request and on Refit's route template alike):
/// <list type="bullet">
/// <item><c>/crm/owners[/...]</c> becomes <c>/crm/owners/2026-03[/...]</c>, or <c>/crm/v3/owners/[...]</c> on <c>v3</c>;</item>
/// <item>on <c>v3</c>, an association read <c>/crm/v3/objects/{type}/{id}/associations/{toType}</c> goes to v4's
/// <c>/crm/v4/objects/...</c>, whose answer has the dated versions' shape (v3's own association read answers another shape).</item>
/// </list>
/// </summary>
/// <remarks>Once <see cref="HubSpotApiVersion"/> knows the <c>owners</c> family, the first rule can move there.</remarks>
internal sealed partial class HubSpotHandoffPathHandler(IOptionsMonitor<HubSpotOptions> options) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<string> TemplateKey = new(HttpRequestMessageOptions.RelativePathTemplate);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = options.CurrentValue.ApiVersion;
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            request.RequestUri = new Uri(uri.GetLeftPart(UriPartial.Authority) + Apply(uri.AbsolutePath, version) + uri.Query);
        }

        if (request.Options.TryGetValue(TemplateKey, out var template) && !string.IsNullOrEmpty(template))
        {
            request.Options.Set(TemplateKey, Apply(template, version));
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The path HubSpot serves for <paramref name="path"/> (already through <see cref="HubSpotApiVersion.Apply"/>) on <paramref name="version"/>.</summary>
    internal static string Apply(string path, string version)
    {
        if (OwnersPath().Match(path) is { Success: true } owners)
        {
            var rest = owners.Groups["rest"].Value;
            return version == HubSpotApiVersion.V3
                ? $"{owners.Groups["prefix"].Value}/crm/v3/owners/{rest.TrimStart('/')}"
                : $"{owners.Groups["prefix"].Value}/crm/owners/{version}{rest}";
        }

        if (version == HubSpotApiVersion.V3 && V3AssociationRead().Match(path) is { Success: true } association)
        {
            return $"{association.Groups["prefix"].Value}/crm/v4/objects/{association.Groups["rest"].Value}";
        }

        return path;
    }

    [GeneratedRegex(@"^(?<prefix>.*?)/crm/owners(?<rest>(/.*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnersPath();

    [GeneratedRegex(@"^(?<prefix>.*?)/crm/v3/objects/(?<rest>[^/]+/[^/]+/associations/[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex V3AssociationRead();
}
