using System.Text.Json;
using HubSyncWorker.Sandbox.Crm;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>HubSpot's shapes for leads and tasks: records, property validation errors, and the missing-scopes answer.</summary>
internal static class CrmObjectJson
{
    public static readonly string[] DefaultProperties = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"];

    /// <summary>
    /// <c>{"id","properties",("propertiesWithHistory"),"createdAt","updatedAt","archived",("associations":{"contacts":{"results":[...]}})}</c>;
    /// <paramref name="properties"/> null writes every value the record has.
    /// </summary>
    public static void WriteRecord(Utf8JsonWriter json, CrmObjectView view, IReadOnlyCollection<string>? properties, string? contactAssociationType = null)
    {
        json.WriteStartObject();
        json.WriteString("id", view.IdText);
        json.WriteStartObject("properties");
        foreach (var name in properties ?? [.. view.State.Values.Keys.Order(StringComparer.Ordinal)])
        {
            if (view.State.Values.TryGetValue(name, out var value))
            {
                json.WriteString(name, value);
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
                    json.WriteString("timestamp", HubSpotJson.Iso(version.Timestamp));
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

        json.WriteString("createdAt", HubSpotJson.Iso(view.CreatedAt));
        json.WriteString("updatedAt", HubSpotJson.Iso(view.State.UpdatedAt));
        json.WriteBoolean("archived", view.State.Archived);
        if (contactAssociationType is not null && view.State.ContactIds.Count > 0)
        {
            json.WriteStartObject("associations");
            json.WriteStartObject("contacts");
            json.WriteStartArray("results");
            foreach (var contact in view.State.ContactIds)
            {
                json.WriteStartObject();
                json.WriteString("id", contact.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("type", contactAssociationType);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>The 400 for invalid property values, in the shape the contacts endpoints use (<c>errors[]</c> with code and <c>context.propertyName</c>).</summary>
    public static HubSpotErrorException InvalidProperties(IReadOnlyList<CrmPropertyError> errors, string? id = null) =>
        HubSpotJson.Validation("Property values were not valid: " + JsonSerializer.Serialize(errors.Select(e => new Dictionary<string, object>
        {
            ["isValid"] = false, ["message"] = e.Message, ["error"] = e.Code, ["name"] = e.Name,
        }).ToList()), json =>
        {
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
                if (id is not null)
                {
                    json.WriteStartArray("ids");
                    json.WriteStringValue(id);
                    json.WriteEndArray();
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });

    /// <summary>
    /// HubSpot's 403 for a call the app has no scope for. A portal without Sales Hub Professional cannot grant <c>crm.objects.leads.*</c>,
    /// so every Leads call of an app there gets this (shape as HubSpot sends it, <c>requiredGranularScopes</c> naming the scope).
    /// </summary>
    public static HubSpotErrorException MissingScopes(string scope) => new(StatusCodes.Status403Forbidden, "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        json =>
        {
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("message", "One or more of the following scopes are required.");
            json.WriteStartObject("context");
            json.WriteStartArray("requiredGranularScopes");
            json.WriteStringValue(scope);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("links");
            json.WriteString("scopes", "https://developers.hubspot.com/scopes");
            json.WriteEndObject();
        });

    public static HubSpotErrorException NotFound(string objectName, string id) =>
        new(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"No {objectName} with id {id} exists (or it is archived).");
}
