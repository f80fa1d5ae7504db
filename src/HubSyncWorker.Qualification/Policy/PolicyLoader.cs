using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>Where a policy comes from, and its canonical JSON form.</summary>
public static class PolicyLoader
{
    private const string DefaultPolicyResource = "HubSyncWorker.Qualification.DefaultPolicy.json";

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The embedded default policy as JSON text (paste it under <c>"Qualification"</c> in appsettings to start from it).</summary>
    public static string DefaultPolicyJson { get; } = ReadDefaultPolicyJson();

    /// <summary>A fresh copy of the embedded default policy.</summary>
    public static QualificationPolicyOptions LoadDefault() => FromJson(DefaultPolicyJson);

    /// <summary>
    /// Parses a policy from JSON (comments and trailing commas allowed; an unknown member is an error): a policy document, or a
    /// settings file (appsettings.json) whose <c>Qualification</c> section is the policy.
    /// </summary>
    /// <exception cref="JsonException">The JSON is malformed.</exception>
    /// <exception cref="PolicyValidationException">
    /// A member is no policy setting, or a value is of the wrong kind: every such problem, each with its path.
    /// </exception>
    public static QualificationPolicyOptions FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var policy = root;
        if (root.ValueKind == JsonValueKind.Object && Member(root, QualificationPolicyOptions.SectionName) is { ValueKind: JsonValueKind.Object } section)
        {
            policy = section;
        }

        if (PolicyJsonShape.Check(policy, QualificationPolicyOptions.SectionName) is { Count: > 0 } errors)
        {
            throw new PolicyValidationException(errors);
        }

        return policy.Deserialize<QualificationPolicyOptions>(ReadOptions) ?? throw new JsonException("The policy JSON is null.");
    }

    private static JsonElement? Member(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>Reads a policy file.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="JsonException">The file is not valid JSON.</exception>
    /// <exception cref="PolicyValidationException">A member is no policy setting, or a value is of the wrong kind.</exception>
    public static async Task<QualificationPolicyOptions> FromFileAsync(string path, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(path, cancellationToken);
        return FromJson(json);
    }

    /// <summary>
    /// Resolves the effective policy from configuration: <c>Qualification:PolicyFile</c> when set (the file is the whole policy),
    /// else the <c>Qualification</c> section when it holds anything (bound as a whole policy; an unknown key is an error),
    /// else the embedded default.
    /// </summary>
    public static QualificationPolicyOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(QualificationPolicyOptions.SectionName);
        var file = section[nameof(QualificationPolicyOptions.PolicyFile)];
        if (!string.IsNullOrWhiteSpace(file))
        {
            var fromFile = FromJson(File.ReadAllText(file));
            fromFile.PolicyFile = file;
            return fromFile;
        }

        var hasPolicy = section.GetChildren().Any(c => !string.Equals(c.Key, nameof(QualificationPolicyOptions.PolicyFile), StringComparison.OrdinalIgnoreCase));
        if (!hasPolicy)
        {
            return LoadDefault();
        }

        var options = new QualificationPolicyOptions();
        section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        return options;
    }

    /// <summary>
    /// Fills <paramref name="target"/> with the policy <see cref="FromConfiguration"/> resolves, for the options pattern:
    /// <c>services.AddOptionsWithValidateOnStart&lt;QualificationPolicyOptions, QualificationPolicyOptionsValidator&gt;().Configure&lt;IConfiguration&gt;(PolicyLoader.Populate)</c>.
    /// </summary>
    public static void Populate(QualificationPolicyOptions target, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(target);
        var source = FromConfiguration(configuration);
        target.PolicyFile = source.PolicyFile;
        target.Fit = source.Fit;
        target.Engagement = source.Engagement;
        target.Disqualifiers = source.Disqualifiers;
        target.Score = source.Score;
        target.Lifecycle = source.Lifecycle;
        target.Lead = source.Lead;
        target.Mql = source.Mql;
        target.Sql = source.Sql;
        target.Opportunity = source.Opportunity;
        target.Evangelist = source.Evangelist;
        target.Recycle = source.Recycle;
        target.LeadStatus = source.LeadStatus;
        target.SourceBucket = source.SourceBucket;
        target.Output = source.Output;
    }

    /// <summary>The policy as indented JSON (what <c>policy check</c> prints).</summary>
    public static string ToJson(QualificationPolicyOptions options) => JsonSerializer.Serialize(options, WriteOptions);

    /// <summary>Canonical JSON: object members sorted ordinally, no whitespace; the basis of the policy version.</summary>
    public static string ToCanonicalJson(QualificationPolicyOptions options)
    {
        var node = JsonSerializer.SerializeToNode(options, WriteOptions);
        return Canonicalise(node)?.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
    }

    /// <summary>The policy version: the first 12 hex characters of SHA-256 over the canonical JSON.</summary>
    public static string ComputeVersion(QualificationPolicyOptions options)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson(options)));
        return Convert.ToHexStringLower(hash)[..12];
    }

    private static JsonNode? Canonicalise(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonicalise(p.Value?.DeepClone())))),
        JsonArray array => new JsonArray(array.Select(item => Canonicalise(item?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };

    private static string ReadDefaultPolicyJson()
    {
        using var stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(DefaultPolicyResource)
            ?? throw new InvalidOperationException($"Embedded resource {DefaultPolicyResource} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
