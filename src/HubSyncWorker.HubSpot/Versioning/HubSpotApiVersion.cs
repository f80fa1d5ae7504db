namespace HubSyncWorker.HubSpot.Versioning;

/// <summary>
/// The HubSpot API versions the client speaks (<see cref="HubSpotOptions.ApiVersion"/>), and the one place where a request path
/// gets its version.
/// </summary>
/// <remarks>
/// The Refit contracts declare version-free paths (<c>/crm/objects/contacts/batch/read</c>, <c>/crm/properties/contacts/{name}</c>)
/// and <see cref="HubSpotApiVersionHandler"/> puts the configured version in, on the request and on Refit's route template alike.
/// Why not a version per contract: v3 puts the version before the API family (<c>/crm/v3/objects/contacts</c>) and the dated
/// versions after it (<c>/crm/objects/2026-03/contacts</c>), so no single Refit template (nor a per-version base address) spells
/// both without losing the family from the route template the metrics label calls with; and a <c>{version}</c> argument on every
/// method would put transport plumbing in every call site. The handler keeps the contracts typed, and a new version is one constant.
/// </remarks>
public static class HubSpotApiVersion
{
    /// <summary>HubSpot's date-versioned API of March 2026 (the default): v3's bodies, <c>options[].displayOrder</c> required on properties.</summary>
    public const string March2026 = "2026-03";

    /// <summary>
    /// HubSpot's date-versioned API of September 2026: batch read and update answer 200 only (per-input <c>errors[]</c> and
    /// <c>numErrors</c> inside), property values may be <see langword="null"/>, the portal's validation rules are enforced on writes.
    /// </summary>
    public const string September2026 = "2026-09";

    /// <summary>The legacy <c>/crm/v3/...</c> paths, for existing legacy private apps; unsupported by HubSpot from September 2027.</summary>
    public const string V3 = "v3";

    /// <summary>The version used when none is configured.</summary>
    public const string Default = March2026;

    /// <summary>Every accepted value of <see cref="HubSpotOptions.ApiVersion"/>.</summary>
    public static IReadOnlyList<string> Allowed { get; } = [March2026, September2026, V3];

    /// <summary>The API families whose paths carry a version: <c>/crm/{family}/...</c>.</summary>
    private static readonly string[] Families = ["objects", "properties"];

    /// <summary>True when <paramref name="version"/> is one of <see cref="Allowed"/> (exact spelling).</summary>
    public static bool IsAllowed(string? version) => version is not null && Allowed.Contains(version, StringComparer.Ordinal);

    /// <summary>
    /// The path HubSpot serves for a version-free <paramref name="path"/>: <c>/crm/objects/contacts</c> becomes
    /// <c>/crm/v3/objects/contacts</c> (v3) or <c>/crm/objects/2026-03/contacts</c>; anything after the family (query included) is
    /// kept, and paths of other APIs are returned unchanged. <paramref name="path"/> may carry a prefix of the base URL's own path.
    /// </summary>
    public static string Apply(string path, string version)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        foreach (var family in Families)
        {
            var marker = $"/crm/{family}/";
            var at = path.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var prefix = path[..at];
            var rest = path[(at + marker.Length)..];
            return version == V3 ? $"{prefix}/crm/v3/{family}/{rest}" : $"{prefix}/crm/{family}/{version}/{rest}";
        }

        return path;
    }
}
