using System.Text.Json;
using HubSyncWorker.HubSpot.Serialization;

namespace HubSyncWorker.HubSpot.Errors;

/// <summary>
/// HubSpot's error body (<c>{"status":"error","message","correlationId","category",...}</c>), and the 429 body's
/// <c>policyName</c>. Every field is optional: HubSpot is inconsistent, and proxies in front of it answer with HTML.
/// </summary>
public sealed record HubSpotErrorBody
{
    public string? Status { get; init; }

    public string? Message { get; init; }

    public string? CorrelationId { get; init; }

    public string? Category { get; init; }

    public string? SubCategory { get; init; }

    /// <summary>Set on 429 answers: <c>TEN_SECONDLY_ROLLING</c>, <c>SECONDLY</c> or <c>DAILY</c>.</summary>
    public string? PolicyName { get; init; }

    public string? ErrorType { get; init; }

    public string? RequestId { get; init; }

    public IReadOnlyList<HubSpotErrorDetail>? Errors { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Context { get; init; }

    /// <summary>Parses an error body; returns <see langword="null"/> (never throws) for anything that is not a JSON object of the expected shape.</summary>
    public static HubSpotErrorBody? TryParse(string? content)
    {
        if (string.IsNullOrWhiteSpace(content) || content.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<HubSpotErrorBody>(content, HubSpotJson.Options);
        }
        catch (JsonException)
        {
            return TryParseScalars(content);
        }
    }

    // Second chance when some nested field has an unexpected shape: keep whatever top-level strings are there.
    private static HubSpotErrorBody? TryParseScalars(string content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = document.RootElement;
            return new HubSpotErrorBody
            {
                Status = Text(root, "status"),
                Message = Text(root, "message"),
                CorrelationId = Text(root, "correlationId"),
                Category = Text(root, "category"),
                SubCategory = Text(root, "subCategory"),
                PolicyName = Text(root, "policyName"),
                ErrorType = Text(root, "errorType"),
                RequestId = Text(root, "requestId"),
            };
        }
        catch (JsonException)
        {
            return null;
        }

        static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>Buffers the response body (so later readers still see it) and parses it as an error body.</summary>
    internal static async Task<HubSpotErrorBody?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content is null)
        {
            return null;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return TryParse(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>One entry of an error body's <c>errors</c> array (or of a 207 batch answer's <c>errors</c>).</summary>
public sealed record HubSpotErrorDetail
{
    public string? Message { get; init; }

    public string? Code { get; init; }

    public string? Status { get; init; }

    public string? Category { get; init; }

    public string? SubCategory { get; init; }

    /// <summary>Echo of the input's trace id on batch write errors, when HubSpot sends it at this level.</summary>
    public string? ObjectWriteTraceId { get; init; }

    /// <summary>For example <c>{"ids":["1","2"]}</c> on <c>OBJECT_NOT_FOUND</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Context { get; init; }
}
