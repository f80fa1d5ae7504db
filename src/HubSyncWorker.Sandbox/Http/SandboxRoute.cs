using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>Endpoint metadata: the stats name (the same whatever the version), whether the search budget applies, and the API version called.</summary>
internal sealed record SandboxRoute(string Name, bool IsSearch, SandboxApiVersion Version)
{
    /// <summary>Each version's object and property path prefixes, as HubSpot serves them.</summary>
    public static IReadOnlyList<(SandboxApiVersion Version, string Objects, string Properties)> Prefixes { get; } =
    [
        (SandboxApiVersion.V3, "/crm/v3/objects/contacts", "/crm/v3/properties/contacts"),
        (SandboxApiVersion.March2026, "/crm/objects/2026-03/contacts", "/crm/properties/2026-03/contacts"),
        (SandboxApiVersion.September2026, "/crm/objects/2026-09/contacts", "/crm/properties/2026-09/contacts"),
    ];

    private static readonly object HistoryReadKey = new();

    /// <summary>Marks the request as a read with <c>propertiesWithHistory</c>, which the stats count apart.</summary>
    public static void MarkHistoryRead(HttpContext context) => context.Items[HistoryReadKey] = true;

    /// <summary>True when the endpoint marked the request with <see cref="MarkHistoryRead"/>.</summary>
    public static bool IsHistoryRead(HttpContext context) => context.Items.ContainsKey(HistoryReadKey);

    /// <summary>The API version of the endpoint a request matched.</summary>
    public static SandboxApiVersion VersionOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<SandboxRoute>()?.Version ?? SandboxApiVersion.V3;
}
