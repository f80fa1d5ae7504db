using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.Cli;

/// <summary>One file of a HubSpot developer-platform project: its path relative to the project folder (with '/') and its text.</summary>
internal sealed record ProjectFile(string RelativePath, string Content);

/// <summary>
/// The HubSpot developer-platform project that gives the worker its credentials: a privately distributed app with static auth
/// (a token for the API, a client secret that signs webhooks) and the webhook subscriptions the configured policy needs.
/// </summary>
/// <remarks>
/// <para>The file shapes, as HubSpot documents them (developers.hubspot.com, "App configuration", "Configure webhooks",
/// "Authentication overview"), in our words:</para>
/// <list type="bullet">
/// <item><c>hsproject.json</c> at the project root: <c>name</c>, <c>srcDir</c> (the folder holding every component, here <c>src</c>)
/// and <c>platformVersion</c> (<c>2025.2</c>, or <c>2026.03</c>, the first date-based version, generally available since 2026-03-30).</item>
/// <item>Every component is a <c>*-hsmeta.json</c> file with the same three top-level members: <c>uid</c> (unique within the project,
/// up to 64 characters of letters, digits, <c>_</c>, <c>-</c>, <c>.</c>), <c>type</c> and <c>config</c>.</item>
/// <item>The app is <c>src/app/app-hsmeta.json</c>, <c>type</c> <c>app</c> (the parent folder's name). Required in <c>config</c>:
/// <c>name</c> (up to 200 characters, no leading or trailing white space), <c>description</c> (up to 8,192 characters),
/// <c>distribution</c> (<c>marketplace</c> or <c>private</c>) and <c>auth</c>. A static token, installed in one account, is
/// <c>auth.type</c> <c>static</c> with <c>distribution</c> <c>private</c>; <c>auth.requiredScopes</c> lists the scopes.
/// <c>redirectUrls</c> serve OAuth only and are left out.</item>
/// <item>Webhooks are <c>src/app/webhooks/*-hsmeta.json</c>, <c>type</c> <c>webhooks</c>. Required in <c>config</c>: <c>settings</c>
/// (<c>targetUrl</c>, the public URL HubSpot posts to, and <c>maxConcurrentRequests</c>) and <c>subscriptions</c>, an object of
/// three optional lists: <c>crmObjects</c> (the generic <c>object.*</c> events, each with <c>objectType</c>), <c>legacyCrmObjects</c>
/// (the classic <c>contact.*</c> ones) and <c>hubEvents</c> (<c>contact.privacyDeletion</c>, <c>conversation.*</c>). A subscription
/// has <c>subscriptionType</c>, <c>active</c> and, for a property change, the one <c>propertyName</c> it watches.</item>
/// </list>
/// <para>Not documented, designed for the likely shape: the generic <c>object.merge</c>, <c>object.restore</c> and
/// <c>object.associationChange</c> subscriptions take the same members as <c>object.creation</c> (HubSpot's subscription API lists
/// them as event types); whether a static token's prefix differs from a legacy private app's (both are used as Bearer tokens).</para>
/// </remarks>
internal static class HubSpotProject
{
    /// <summary>The developer platform version the project is written for (2026.03: generally available, supported 18 months).</summary>
    public const string PlatformVersion = "2026.03";

    /// <summary>The default app name (the name shown in HubSpot; the project name is derived from it).</summary>
    public const string DefaultAppName = "HubSync Worker";

    /// <summary>The target URL of the committed project: a placeholder to replace with the worker's public webhook URL.</summary>
    public const string PlaceholderTargetUrl = "https://hubsync.example.com/webhooks/hubspot";

    /// <summary>HubSpot sends at most this many requests at once (its maximum for an account; the worker answers each in milliseconds).</summary>
    public const int MaxConcurrentRequests = 10;

    public const string ProjectFileName = "hsproject.json";
    public const string AppFile = "src/app/app-hsmeta.json";
    public const string WebhooksFile = "src/app/webhooks/webhooks-hsmeta.json";

    /// <summary>
    /// The scopes the worker uses, and no other: contacts read (list, search, batch read; the webhooks on contacts need it too) and
    /// write (batch update), contact properties read (the bootstrap and the portal check read properties and groups) and write (it
    /// creates the HubSync group and output properties).
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredScopes =
        ["crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read", "crm.schemas.contacts.write"];

    /// <summary>The contact events that make the worker evaluate (or forget) a contact, whatever property changed.</summary>
    public static readonly IReadOnlyList<string> ContactEvents =
        ["object.creation", "object.deletion", "object.merge", "object.restore", "object.associationChange"];

    private const string ContactObjectType = "contact";
    private const string PropertyChange = "object.propertyChange";
    private const string PrivacyDeletion = "contact.privacyDeletion";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",

        // A file, never HTML: an app name such as "Sales & Marketing" stays as written.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The properties that need a property-change subscription: every property the policy reads (<see cref="QualificationPolicy.RequiredProperties"/>
    /// and <see cref="QualificationPolicy.HistoryProperties"/>) but its own output properties, whose changes the webhook intake ignores as
    /// echoes of the worker's writes (subscribing to them would only add deliveries), sorted.
    /// </summary>
    public static IReadOnlyList<string> WatchedProperties(QualificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var watched = new SortedSet<string>(policy.RequiredProperties.Concat(policy.HistoryProperties), StringComparer.Ordinal);
        watched.ExceptWith(policy.OutputProperties.Select(p => p.Name));
        return [.. watched];
    }

    /// <summary>
    /// The project name derived from the app name: its ASCII letters and digits, lower case, each other run of characters a '-'
    /// (<c>HubSync Worker (staging)</c> gives <c>hubsync-worker-staging</c>). HubSpot documents no rule for project names; this one
    /// is safe as a folder name and in a URL. Uploading a project of an existing name replaces that project.
    /// </summary>
    public static string ProjectName(string appName)
    {
        ArgumentNullException.ThrowIfNull(appName);
        var name = new StringBuilder();
        foreach (var c in appName)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                name.Append(char.ToLowerInvariant(c));
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }
        }

        var text = name.ToString(0, Math.Min(name.Length, 64)).Trim('-');
        return text.Length == 0 ? "hubsync-worker" : text;
    }

    /// <summary>What is wrong with an app name for HubSpot (1-200 characters, no white space at either end), or null.</summary>
    public static string? CheckAppName(string appName) =>
        appName.Length is 0 or > 200 ? $"must have 1 to 200 characters; got {appName.Length}"
        : appName.Trim() != appName ? "must not start or end with white space"
        : null;

    /// <summary>The project's three files for <paramref name="policy"/>, in a stable order, each 2-space indented with a final newline.</summary>
    public static IReadOnlyList<ProjectFile> Generate(QualificationPolicy policy, Uri targetUrl, string appName)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(targetUrl);
        ArgumentNullException.ThrowIfNull(appName);
        return
        [
            new ProjectFile(ProjectFileName, Json(w =>
            {
                w.WriteString("name", ProjectName(appName));
                w.WriteString("srcDir", "src");
                w.WriteString("platformVersion", PlatformVersion);
            })),
            new ProjectFile(AppFile, Json(w =>
            {
                w.WriteString("uid", "hubsync_app");
                w.WriteString("type", "app");
                w.WriteStartObject("config");
                w.WriteString("name", appName);
                w.WriteString("description", "Keeps contacts' lead qualification right: reads contacts, evaluates the qualification policy and "
                    + "writes the HubSync properties (scores, status, reason). Runs outside HubSpot; installed in one account.");
                w.WriteString("distribution", "private");
                w.WriteStartObject("auth");
                w.WriteString("type", "static");
                w.WriteStartArray("requiredScopes");
                foreach (var scope in RequiredScopes)
                {
                    w.WriteStringValue(scope);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            })),
            new ProjectFile(WebhooksFile, Json(w =>
            {
                w.WriteString("uid", "hubsync_webhooks");
                w.WriteString("type", "webhooks");
                w.WriteStartObject("config");
                w.WriteStartObject("settings");
                w.WriteString("targetUrl", targetUrl.AbsoluteUri);
                w.WriteNumber("maxConcurrentRequests", MaxConcurrentRequests);
                w.WriteEndObject();
                w.WriteStartObject("subscriptions");
                w.WriteStartArray("crmObjects");
                foreach (var type in ContactEvents)
                {
                    Subscription(w, type, objectType: ContactObjectType, propertyName: null);
                }

                foreach (var property in WatchedProperties(policy))
                {
                    Subscription(w, PropertyChange, objectType: ContactObjectType, propertyName: property);
                }

                w.WriteEndArray();

                // The worker reads the generic format; the classic contact.* events would only duplicate those above.
                w.WriteStartArray("legacyCrmObjects");
                w.WriteEndArray();
                w.WriteStartArray("hubEvents");
                Subscription(w, PrivacyDeletion, objectType: null, propertyName: null);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            })),
        ];
    }

    /// <summary>
    /// The contact properties a project's webhook components subscribe to (active property-change subscriptions, generic or classic),
    /// read from every <c>*-hsmeta.json</c> of <c>&lt;srcDir&gt;/app/webhooks</c>.
    /// </summary>
    /// <exception cref="HubSpotProjectException">No webhook component in the folder, or a file that is not the documented JSON.</exception>
    public static async Task<ProjectSubscriptions> ReadSubscriptionsAsync(string projectDirectory, CancellationToken ct)
    {
        var webhooks = Path.Combine(projectDirectory, await SourceDirectoryAsync(projectDirectory, ct), "app", "webhooks");
        var files = Directory.Exists(webhooks) ? Directory.GetFiles(webhooks, "*-hsmeta.json").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
        {
            throw new HubSpotProjectException($"no webhook component (*-hsmeta.json) in {webhooks}");
        }

        var properties = new SortedSet<string>(StringComparer.Ordinal);
        string? targetUrl = null;
        foreach (var file in files)
        {
            using var document = await ParseAsync(file, ct);
            if (!document.RootElement.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object
                || !config.TryGetProperty("subscriptions", out var subscriptions) || subscriptions.ValueKind != JsonValueKind.Object)
            {
                throw new HubSpotProjectException($"{file} has no config.subscriptions object");
            }

            targetUrl ??= config.TryGetProperty("settings", out var settings) && settings.ValueKind == JsonValueKind.Object
                && settings.TryGetProperty("targetUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
            properties.UnionWith(PropertyChanges(subscriptions, "crmObjects", PropertyChange, requireContact: true));
            properties.UnionWith(PropertyChanges(subscriptions, "legacyCrmObjects", "contact.propertyChange", requireContact: false));
        }

        return new ProjectSubscriptions(files, [.. properties], targetUrl);
    }

    private static IEnumerable<string> PropertyChanges(JsonElement subscriptions, string list, string type, bool requireContact)
    {
        if (!subscriptions.TryGetProperty(list, out var items) || items.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object
                && Text(item, "subscriptionType") == type
                && (!requireContact || Text(item, "objectType") == ContactObjectType)
                && !(item.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.False)
                && Text(item, "propertyName") is { Length: > 0 } property)
            {
                yield return property;
            }
        }

        static string? Text(JsonElement item, string name) =>
            item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>The project's <c>srcDir</c> from its <c>hsproject.json</c>, <c>src</c> when the file or the member is absent.</summary>
    private static async Task<string> SourceDirectoryAsync(string projectDirectory, CancellationToken ct)
    {
        var file = Path.Combine(projectDirectory, ProjectFileName);
        if (!File.Exists(file))
        {
            return "src";
        }

        using var document = await ParseAsync(file, ct);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("srcDir", out var src)
            && src.ValueKind == JsonValueKind.String && src.GetString() is { Length: > 0 } dir ? dir : "src";
    }

    private static async Task<JsonDocument> ParseAsync(string file, CancellationToken ct)
    {
        try
        {
            await using var stream = File.OpenRead(file);
            return await JsonDocument.ParseAsync(stream, default, ct);
        }
        catch (JsonException ex)
        {
            throw new HubSpotProjectException($"{file} is not valid JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HubSpotProjectException($"cannot read {file}: {ex.Message}", ex);
        }
    }

    private static void Subscription(Utf8JsonWriter w, string type, string? objectType, string? propertyName)
    {
        w.WriteStartObject();
        w.WriteString("subscriptionType", type);
        if (objectType is not null)
        {
            w.WriteString("objectType", objectType);
        }

        if (propertyName is not null)
        {
            w.WriteString("propertyName", propertyName);
        }

        w.WriteBoolean("active", true);
        w.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }
}

/// <summary>The webhook component files read, the contact properties they subscribe to (sorted) and the first one's target URL.</summary>
internal sealed record ProjectSubscriptions(IReadOnlyList<string> Files, IReadOnlyList<string> Properties, string? TargetUrl);

/// <summary>A HubSpot project folder that cannot be read as one; the message names the file and says why.</summary>
internal sealed class HubSpotProjectException : Exception
{
    public HubSpotProjectException(string message)
        : base(message)
    {
    }

    public HubSpotProjectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
