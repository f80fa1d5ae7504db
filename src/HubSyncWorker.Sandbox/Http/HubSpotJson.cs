using System.Globalization;
using System.Text;
using System.Text.Json;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Properties;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>A request the sandbox refuses with HubSpot's error body; <see cref="Details"/> writes further members (e.g. <c>errors</c>).</summary>
internal sealed class HubSpotErrorException(int statusCode, string category, string message, Action<Utf8JsonWriter>? details = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Category { get; } = category;

    public Action<Utf8JsonWriter>? Details { get; } = details;
}

/// <summary>Writes HubSpot's JSON shapes straight to the response (every property value a string) and reads request bodies.</summary>
internal static class HubSpotJson
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static HubSpotErrorException Validation(string message, Action<Utf8JsonWriter>? details = null) =>
        new(StatusCodes.Status400BadRequest, "VALIDATION_ERROR", message, details);

    /// <summary>Reads the body as JSON; a malformed or oversized body is a 400 like HubSpot's.</summary>
    public static async Task<(JsonDocument Document, int CharCount)> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > MaxBodyBytes)
        {
            throw Validation("The request body is too large.");
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            return (JsonDocument.Parse(bytes), Encoding.UTF8.GetCharCount(bytes.Span));
        }
        catch (JsonException ex)
        {
            throw Validation($"Invalid input JSON on line {ex.LineNumber + 1}, column {ex.BytePositionInLine + 1}: {ex.Message}");
        }
    }

    /// <summary>A JSON value written by a client where HubSpot expects a string (numbers and booleans are accepted as their text).</summary>
    public static string? AsText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => throw Validation($"Expected a string but found {element.ValueKind}."),
    };

    public static List<string> StringArray(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Validation($"'{name}' must be an array.");
        }

        return [.. array.EnumerateArray().Select(e => AsText(e) ?? throw Validation($"'{name}' must not contain null."))];
    }

    public static JsonElement RequiredArray(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Validation($"'{name}' is required and must be an array.");
        }

        return array;
    }

    public static async Task WriteAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json;charset=utf-8";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            body(json);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>HubSpot's error body: <c>{"status":"error","message","correlationId","category", ...}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, string category, string message, Action<Utf8JsonWriter>? extra = null) =>
        WriteAsync(context, statusCode, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("message", message);
            json.WriteString("correlationId", Guid.NewGuid());
            json.WriteString("category", category);
            extra?.Invoke(json);
            json.WriteEndObject();
        });

    public static string Iso(DateTimeOffset instant) => PropertyCatalog.FormatDateTime(instant);

    /// <summary>Writes a record: <c>{"id","properties",("propertiesWithHistory"),"createdAt","updatedAt","archived",("associations")}</c>.</summary>
    public static void WriteRecord(Utf8JsonWriter json, ContactView view, IEnumerable<string> properties)
    {
        json.WriteStartObject();
        json.WriteString("id", view.Id.ToString(CultureInfo.InvariantCulture));
        json.WriteStartObject("properties");
        foreach (var name in properties)
        {
            if (view.State.Values.TryGetValue(name, out var value))
            {
                json.WriteString(name, value.Text);
            }
            else
            {
                json.WriteNull(name);
            }
        }

        json.WriteEndObject();
        if (view.History is { } history)
        {
            json.WriteStartObject("propertiesWithHistory");
            foreach (var (name, versions) in history)
            {
                json.WriteStartArray(name);
                foreach (var version in versions)
                {
                    json.WriteStartObject();
                    json.WriteString("value", version.Value);
                    json.WriteString("timestamp", Iso(version.Timestamp));
                    json.WriteString("sourceType", version.SourceType);
                    if (version.SourceId is not null)
                    {
                        json.WriteString("sourceId", version.SourceId);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteString("createdAt", Iso(view.CreatedAt));
        json.WriteString("updatedAt", Iso(view.State.UpdatedAt));
        json.WriteBoolean("archived", view.State.Archived);
        if (view.Deals is { Length: > 0 } deals)
        {
            json.WriteStartObject("associations");
            json.WriteStartObject("deals");
            json.WriteStartArray("results");
            foreach (var deal in deals)
            {
                json.WriteStartObject();
                json.WriteString("id", deal.ToString(CultureInfo.InvariantCulture));
                json.WriteString("type", "contact_to_deal");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    public static void WriteProperty(Utf8JsonWriter json, SandboxProperty property)
    {
        json.WriteStartObject();
        json.WriteString("name", property.Name);
        json.WriteString("label", property.Label);
        json.WriteString("type", property.Type);
        json.WriteString("fieldType", property.FieldType);
        json.WriteString("description", property.Description);
        json.WriteString("groupName", property.GroupName);
        json.WriteStartArray("options");
        foreach (var option in property.Options)
        {
            json.WriteStartObject();
            json.WriteString("label", option.Label);
            json.WriteString("value", option.Value);
            if (option.Description is not null)
            {
                json.WriteString("description", option.Description);
            }

            json.WriteNumber("displayOrder", option.DisplayOrder);
            json.WriteBoolean("hidden", option.Hidden);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("displayOrder", property.DisplayOrder);
        json.WriteBoolean("calculated", property.Calculated);
        json.WriteBoolean("externalOptions", false);
        json.WriteBoolean("hasUniqueValue", false);
        json.WriteBoolean("hidden", property.Hidden);
        json.WriteBoolean("hubspotDefined", property.HubspotDefined);
        json.WriteStartObject("modificationMetadata");
        json.WriteBoolean("archivable", !property.HubspotDefined);
        json.WriteBoolean("readOnlyDefinition", property.HubspotDefined);
        json.WriteBoolean("readOnlyValue", property.ReadOnlyValue);
        json.WriteEndObject();
        json.WriteBoolean("formField", !property.ReadOnlyValue);
        json.WriteString("createdAt", Iso(property.CreatedAt));
        json.WriteString("updatedAt", Iso(property.UpdatedAt));
        json.WriteBoolean("archived", false);
        json.WriteEndObject();
    }

    public static void WriteGroup(Utf8JsonWriter json, SandboxPropertyGroup group)
    {
        json.WriteStartObject();
        json.WriteString("name", group.Name);
        json.WriteString("label", group.Label);
        json.WriteNumber("displayOrder", group.DisplayOrder);
        json.WriteBoolean("archived", false);
        json.WriteEndObject();
    }
}
