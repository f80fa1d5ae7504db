using System.Text.Json;

namespace HubSyncWorker.HubSpot.Errors;

/// <summary>
/// HubSpot's error body (<c>{"status":"error","message","correlationId","category",...}</c>), and the 429 body's
/// <c>policyName</c>. Every field is optional and read leniently (<see cref="HubSpotErrorReader"/>): HubSpot is inconsistent,
/// its own spec types <c>subCategory</c> as a string here and as an object in batch errors, and proxies in front of it answer with HTML.
/// </summary>
public sealed record HubSpotErrorBody
{
    public string? Status { get; init; }

    public string? Message { get; init; }

    public string? CorrelationId { get; init; }

    public string? Category { get; init; }

    /// <summary>A string as sent; an object or array as its JSON text.</summary>
    public string? SubCategory { get; init; }

    /// <summary>Set on 429 answers: <c>TEN_SECONDLY_ROLLING</c>, <c>SECONDLY</c> or <c>DAILY</c>.</summary>
    public string? PolicyName { get; init; }

    public string? ErrorType { get; init; }

    public string? RequestId { get; init; }

    /// <summary>The readable entries of <c>errors</c>; <see langword="null"/> when absent or not an array.</summary>
    public IReadOnlyList<HubSpotErrorDetail>? Errors { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Context { get; init; }

    /// <summary>Parses an error body; returns <see langword="null"/> (never throws) for anything that is not a JSON object.</summary>
    public static HubSpotErrorBody? TryParse(string? content)
    {
        if (string.IsNullOrWhiteSpace(content) || content.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return HubSpotErrorReader.Body(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
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

/// <summary>One entry of an error body's <c>errors</c> array, or of a batch answer's <c>errors</c> (HubSpot's <c>StandardError</c>).</summary>
public sealed record HubSpotErrorDetail
{
    public string? Message { get; init; }

    /// <summary>For example <c>INVALID_OPTION</c>, <c>MISSING_REQUIRED_PROPERTY</c> (see <see cref="HubSpotErrorCodes"/>).</summary>
    public string? Code { get; init; }

    public string? Status { get; init; }

    public string? Category { get; init; }

    /// <summary>A string as sent; an object or array (HubSpot's spec types it as an object here) as its JSON text.</summary>
    public string? SubCategory { get; init; }

    /// <summary>Echo of the input's trace id on batch write errors, when HubSpot sends it at this level.</summary>
    public string? ObjectWriteTraceId { get; init; }

    /// <summary>For example <c>{"ids":["1","2"]}</c> on <c>OBJECT_NOT_FOUND</c>, <c>{"propertyName":["company"]}</c> on a validation error.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Context { get; init; }

    /// <summary>The property names <c>context.propertyName</c> holds (validation errors), or none.</summary>
    public IReadOnlyList<string> PropertyNames =>
        Context is not null && Context.TryGetValue("propertyName", out var names) ? names : [];
}

/// <summary>Error codes whose meaning the client and its callers act on.</summary>
public static class HubSpotErrorCodes
{
    /// <summary>A write left empty a property one of the portal's validation rules requires (enforced on writes from 2026-09).</summary>
    public const string MissingRequiredProperty = "MISSING_REQUIRED_PROPERTY";

    /// <summary>A write left empty a property a conditional validation rule of the portal requires (enforced on writes from 2026-09).</summary>
    public const string MissingConditionalRequiredProperty = "MISSING_CONDITIONAL_REQUIRED_PROPERTY";

    /// <summary>
    /// True for the portal's validation-rule rejections: the contact's own data breaks a rule an admin configured, so sending the same
    /// write again can never succeed.
    /// </summary>
    public static bool IsValidationRule(string? code) => code is MissingRequiredProperty or MissingConditionalRequiredProperty;
}
