using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Properties;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>The contact object endpoints: list, search, batch read and batch update, with HubSpot's limits and shapes.</summary>
internal sealed partial class ContactEndpoints(SandboxContactStore store, PropertyCatalog catalog, SandboxStats stats, SandboxOptions options)
{
    private const int MaxBatchInputs = 100;
    private const int MaxHistoryBatchInputs = 50;
    private const int MaxSearchResults = 10_000;
    private const int MaxSearchBodyChars = 3_000;
    private readonly ChangeOrigin _integration = new("INTEGRATION", options.AppId.ToString(CultureInfo.InvariantCulture));

    public Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var history = Csv(query["propertiesWithHistory"]);
        var maxLimit = history.Count > 0 ? 50 : 100;
        var limit = query.TryGetValue("limit", out var rawLimit) ? ParseInt(rawLimit.ToString(), "limit") : 10;
        if (limit < 1)
        {
            throw HubSpotJson.Validation($"limit must be at least 1 (was {limit}).");
        }

        limit = Math.Min(limit, maxLimit);
        var afterId = query.TryGetValue("after", out var after) && !string.IsNullOrEmpty(after) ? DecodeCursor(after.ToString()) : 0;
        var archived = string.Equals(query["archived"], "true", StringComparison.OrdinalIgnoreCase);
        var associations = Csv(query["associations"]);
        var withDeals = associations.Any(a => a is "deals" or "deal" or "0-3");
        var properties = SandboxContactStore.OutputProperties(Csv(query["properties"])).ToArray();

        var (page, nextAfterId) = store.ListPage(afterId, limit, archived, history, withDeals);
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var view in page)
            {
                HubSpotJson.WriteRecord(json, view, properties);
            }

            json.WriteEndArray();
            if (nextAfterId is { } next)
            {
                var cursor = EncodeCursor(next);
                json.WriteStartObject("paging");
                json.WriteStartObject("next");
                json.WriteString("after", cursor);
                json.WriteString("link", $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}?after={cursor}");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }

    public async Task BatchReadAsync(HttpContext context)
    {
        var startedAt = options.TimeProvider.GetUtcNow();
        var version = SandboxRoute.VersionOf(context);
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var root = document.RootElement;
            var inputs = HubSpotJson.RequiredArray(root, "inputs");
            if (inputs.GetArrayLength() > MaxBatchInputs)
            {
                throw HubSpotJson.Validation($"Batch input has {inputs.GetArrayLength()} inputs; at most {MaxBatchInputs} are allowed.");
            }

            var history = HubSpotJson.StringArray(root, "propertiesWithHistory");
            if (history.Count > 0)
            {
                SandboxRoute.MarkHistoryRead(context);
            }

            if (history.Count > 0 && inputs.GetArrayLength() > MaxHistoryBatchInputs)
            {
                // Not in HubSpot's spec; seen in production (HUBSPOT.md), message verbatim, every version.
                throw HubSpotJson.Validation("The maximum number of inputs supported in a batch request for property histories is 50");
            }

            if (root.TryGetProperty("idProperty", out var idProperty) && HubSpotJson.AsText(idProperty) is { } idName && idName != "hs_object_id")
            {
                throw HubSpotJson.Validation($"The sandbox reads by record id only (idProperty '{idName}' is not supported).");
            }

            var ids = inputs.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.Object && i.TryGetProperty("id", out var id)
                ? HubSpotJson.AsText(id) ?? throw HubSpotJson.Validation("inputs[].id is required.")
                : throw HubSpotJson.Validation("inputs[].id is required.")).ToList();
            var properties = SandboxContactStore.OutputProperties(HubSpotJson.StringArray(root, "properties")).ToArray();
            var (found, missing) = store.Read(ids, history);
            var completedAt = options.TimeProvider.GetUtcNow();
            await HubSpotJson.WriteAsync(context, BatchStatus(version, hasErrors: missing.Count > 0), json =>
            {
                json.WriteStartObject();
                json.WriteString("status", "COMPLETE");
                json.WriteStartArray("results");
                foreach (var view in found)
                {
                    HubSpotJson.WriteRecord(json, view, properties);
                }

                json.WriteEndArray();
                if (missing.Count > 0)
                {
                    json.WriteNumber("numErrors", 1);
                    json.WriteStartArray("errors");
                    WriteNotFound(json, missing, traceId: null);
                    json.WriteEndArray();
                }

                json.WriteString("startedAt", HubSpotJson.Iso(startedAt));
                json.WriteString("completedAt", HubSpotJson.Iso(completedAt));
                json.WriteEndObject();
            });
        }
    }

    public async Task BatchUpdateAsync(HttpContext context)
    {
        var startedAt = options.TimeProvider.GetUtcNow();
        var version = SandboxRoute.VersionOf(context);
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        List<WriteOutcome> outcomes;
        using (document)
        {
            var inputs = HubSpotJson.RequiredArray(document.RootElement, "inputs");
            if (inputs.GetArrayLength() > MaxBatchInputs)
            {
                throw HubSpotJson.Validation($"Batch input has {inputs.GetArrayLength()} inputs; at most {MaxBatchInputs} are allowed.");
            }

            var writes = inputs.EnumerateArray().Select(ParseWrite).ToList();
            stats.CountBatchUpdateInputs(writes.Count);
            var duplicates = writes.GroupBy(w => w.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw HubSpotJson.Validation($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique");
            }

            if (version >= SandboxApiVersion.September2026 && store.RuleViolations(writes, catalog.ValidationRules) is { Count: > 0 } violations)
            {
                throw ValidationRulesBroken(violations);
            }

            if (options.RejectWholeBatchOnInvalidValue && store.FirstInvalid(writes, asIntegration: true) is { } invalid)
            {
                throw HubSpotJson.Validation("Property values were not valid: " + JsonSerializer.Serialize(invalid.Errors.Select(e => new Dictionary<string, object>
                {
                    ["isValid"] = false, ["message"] = e.Message, ["error"] = e.Code, ["name"] = e.Name,
                }).ToList()));
            }

            outcomes = store.Write(writes, _integration, asIntegration: true);
        }

        var errors = outcomes.Where(o => o.Status is WriteStatus.NotFound or WriteStatus.Invalid).ToList();
        var completedAt = options.TimeProvider.GetUtcNow();
        await HubSpotJson.WriteAsync(context, BatchStatus(version, hasErrors: errors.Count > 0), json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "COMPLETE");
            json.WriteStartArray("results");
            foreach (var outcome in outcomes)
            {
                if (outcome.View is { } view)
                {
                    HubSpotJson.WriteRecord(json, view, outcome.Input.Properties.Keys.Concat(["hs_object_id", "createdate", "lastmodifieddate"]).Distinct(StringComparer.Ordinal));
                }
            }

            json.WriteEndArray();
            if (errors.Count > 0)
            {
                json.WriteNumber("numErrors", errors.Count);
                json.WriteStartArray("errors");
                errors.ForEach(error => WriteWriteError(json, error));
                json.WriteEndArray();
            }

            json.WriteString("startedAt", HubSpotJson.Iso(startedAt));
            json.WriteString("completedAt", HubSpotJson.Iso(completedAt));
            json.WriteEndObject();
        });
    }

    /// <summary>The list cursor is opaque to clients: base64url of the last id returned.</summary>
    internal static string EncodeCursor(long id) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture)));

    internal static long DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
            // Falls through to the 400 below.
        }

        throw HubSpotJson.Validation($"Invalid paging cursor '{cursor}'.");
    }

    /// <summary>v3 and 2026-03 answer a batch with errors 207 (multi-status); 2026-09 answers 200 whatever, the errors inside.</summary>
    private static int BatchStatus(SandboxApiVersion version, bool hasErrors) =>
        hasErrors && version < SandboxApiVersion.September2026 ? StatusCodes.Status207MultiStatus : StatusCodes.Status200OK;

    /// <summary>
    /// The 400 a 2026-09 batch update gets when inputs break the portal's validation rules; nothing of the batch is written. Shape:
    /// <code>
    /// {"status":"error","message":"...","correlationId":"...","category":"VALIDATION_ERROR",
    ///  "errors":[{"message":"...","code":"MISSING_REQUIRED_PROPERTY",   (or MISSING_CONDITIONAL_REQUIRED_PROPERTY)
    ///             "context":{"propertyName":["company"],"ids":["12"],"objectWriteTraceId":["t-12"]}}]}   (objectWriteTraceId only when sent)
    /// </code>
    /// One entry per offending input: its code is that of the first rule it breaks, <c>propertyName</c> lists every property it leaves missing.
    /// </summary>
    private static HubSpotErrorException ValidationRulesBroken(List<(ContactWrite Input, List<SandboxValidationRule> Broken)> violations) =>
        HubSpotJson.Validation($"{violations.Count} of the batch's inputs would leave a property the portal requires without a value.", json =>
        {
            json.WriteStartArray("errors");
            foreach (var (input, broken) in violations)
            {
                var names = broken.Select(r => r.PropertyName).Distinct(StringComparer.Ordinal).ToList();
                json.WriteStartObject();
                json.WriteString("message", broken[0].WhenProperty is { } when
                    ? $"Property \"{broken[0].PropertyName}\" is required when \"{when}\" is \"{broken[0].WhenValue}\"."
                    : $"Property \"{broken[0].PropertyName}\" is required.");
                json.WriteString("code", broken[0].ErrorCode);
                json.WriteStartObject("context");
                json.WriteStartArray("propertyName");
                names.ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteStartArray("ids");
                json.WriteStringValue(input.Id);
                json.WriteEndArray();
                if (input.ObjectWriteTraceId is { } traceId)
                {
                    json.WriteStartArray("objectWriteTraceId");
                    json.WriteStringValue(traceId);
                    json.WriteEndArray();
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });

    /// <summary>
    /// A <c>StandardError</c>'s <c>subCategory</c>: HubSpot's spec types it as an object and documents no members, so the sandbox writes
    /// <c>{}</c> for OBJECT_NOT_FOUND and <c>{"type":"PropertyValidationError","codes":[...]}</c> for VALIDATION_ERROR.
    /// </summary>
    private void WriteSubCategory(Utf8JsonWriter json, IReadOnlyList<PropertyError>? errors)
    {
        if (!options.WriteSubCategoryInBatchErrors)
        {
            return;
        }

        json.WriteStartObject("subCategory");
        if (errors is not null)
        {
            json.WriteString("type", "PropertyValidationError");
            json.WriteStartArray("codes");
            foreach (var code in errors.Select(e => e.Code).Distinct(StringComparer.Ordinal))
            {
                json.WriteStringValue(code);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private void WriteNotFound(Utf8JsonWriter json, IEnumerable<string> ids, string? traceId)
    {
        json.WriteStartObject();
        json.WriteString("status", "error");
        json.WriteString("category", "OBJECT_NOT_FOUND");
        WriteSubCategory(json, errors: null);
        json.WriteString("message", "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.");
        json.WriteStartObject("context");
        json.WriteStartArray("ids");
        foreach (var id in ids)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
        WriteTraceId(json, traceId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTraceId(Utf8JsonWriter json, string? traceId)
    {
        if (traceId is not null)
        {
            json.WriteStartArray("objectWriteTraceId");
            json.WriteStringValue(traceId);
            json.WriteEndArray();
        }
    }

    private void WriteWriteError(Utf8JsonWriter json, WriteOutcome outcome)
    {
        if (outcome.Status == WriteStatus.NotFound)
        {
            WriteNotFound(json, [outcome.Input.Id], outcome.Input.ObjectWriteTraceId);
            return;
        }

        var errors = outcome.Errors!;
        json.WriteStartObject();
        json.WriteString("status", "error");
        json.WriteString("category", "VALIDATION_ERROR");
        WriteSubCategory(json, errors);
        json.WriteString("message", "Property values were not valid: " + JsonSerializer.Serialize(errors.Select(e => new Dictionary<string, object>
        {
            ["isValid"] = false, ["message"] = e.Message, ["error"] = e.Code, ["name"] = e.Name,
        }).ToList()));
        json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteString("message", error.Message);
            json.WriteString("code", error.Code);
            json.WriteStartObject("context");
            json.WriteStartArray("propertyName");
            json.WriteStringValue(error.Name);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("context");
        json.WriteStartArray("ids");
        json.WriteStringValue(outcome.Input.Id);
        json.WriteEndArray();
        json.WriteStartArray("properties");
        foreach (var error in errors)
        {
            json.WriteStringValue(error.Name);
        }

        json.WriteEndArray();
        WriteTraceId(json, outcome.Input.ObjectWriteTraceId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static ContactWrite ParseWrite(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("id", out var idElement) || HubSpotJson.AsText(idElement) is not { } id)
        {
            throw HubSpotJson.Validation("inputs[].id is required.");
        }

        if (!input.TryGetProperty("properties", out var propertiesElement) || propertiesElement.ValueKind != JsonValueKind.Object)
        {
            throw HubSpotJson.Validation($"inputs[].properties is required (id {id}).");
        }

        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in propertiesElement.EnumerateObject())
        {
            properties[property.Name] = HubSpotJson.AsText(property.Value) ?? "";
        }

        var traceId = input.TryGetProperty("objectWriteTraceId", out var trace) ? HubSpotJson.AsText(trace) : null;
        return new ContactWrite(id, properties, traceId);
    }

    private static int ParseInt(string? raw, string name) =>
        int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw HubSpotJson.Validation($"{name} must be an integer (was '{raw}').");

    private static List<string> Csv(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
