using System.Text.Json;
using System.Text.RegularExpressions;
using HubSyncWorker.Sandbox.Properties;
using Microsoft.AspNetCore.Http;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>The contact properties API: list, get, create (201/409), update, and property groups.</summary>
internal sealed partial class PropertyEndpoints(PropertyCatalog catalog, TimeProvider time)
{
    private static readonly string[] RequiredFields = ["name", "label", "type", "fieldType", "groupName"];

    public Task ListAsync(HttpContext context) =>
        HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var property in catalog.All)
            {
                HubSpotJson.WriteProperty(json, property);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

    public Task GetAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        return catalog.Find(name) is { } property
            ? HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => HubSpotJson.WriteProperty(json, property))
            : HubSpotJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"Unable to find property '{name}' for object type contacts.");
    }

    public async Task CreateAsync(HttpContext context)
    {
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw HubSpotJson.Validation("The property body must be a JSON object.");
            }

            var missing = RequiredFields.Where(f => Text(body, f) is not { Length: > 0 }).ToList();
            if (missing.Count > 0)
            {
                throw HubSpotJson.Validation($"Missing required fields: {string.Join(", ", missing)}.");
            }

            var name = Text(body, "name")!;
            if (!InternalName().IsMatch(name))
            {
                throw HubSpotJson.Validation($"Property name '{name}' must start with a lowercase letter and hold only lowercase letters, digits and underscores.");
            }

            var options = Options(body, RequiresOptionDisplayOrder(context));
            var now = time.GetUtcNow();
            var property = new SandboxProperty
            {
                Name = name,
                Label = Text(body, "label")!,
                Type = Text(body, "type")!,
                FieldType = Text(body, "fieldType")!,
                GroupName = Text(body, "groupName")!,
                Description = Text(body, "description") ?? "",
                Options = options ?? [],
                DisplayOrder = Int(body, "displayOrder") ?? -1,
                Hidden = body.TryGetProperty("hidden", out var hidden) && hidden.ValueKind == JsonValueKind.True,
                CreatedAt = now,
                UpdatedAt = now,
            };
            Validate(property);
            if (!catalog.TryAdd(property))
            {
                await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status409Conflict, "OBJECT_ALREADY_EXISTS",
                    $"Object already has a property named '{name}'.", json => json.WriteString("subCategory", "PropertyValidationError.PROPERTY_ALREADY_EXISTS"));
                return;
            }

            await HubSpotJson.WriteAsync(context, StatusCodes.Status201Created, json => HubSpotJson.WriteProperty(json, property));
        }
    }

    public async Task UpdateAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var body = document.RootElement;
            if (catalog.Find(name) is not { } current)
            {
                await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"Unable to find property '{name}' for object type contacts.");
                return;
            }

            if (body.ValueKind != JsonValueKind.Object)
            {
                throw HubSpotJson.Validation("The property body must be a JSON object.");
            }

            var updated = current with
            {
                Label = Text(body, "label") ?? current.Label,
                Type = Text(body, "type") ?? current.Type,
                FieldType = Text(body, "fieldType") ?? current.FieldType,
                GroupName = Text(body, "groupName") ?? current.GroupName,
                Description = Text(body, "description") ?? current.Description,
                Options = Options(body, RequiresOptionDisplayOrder(context)) ?? current.Options,
                DisplayOrder = Int(body, "displayOrder") ?? current.DisplayOrder,
                Hidden = body.TryGetProperty("hidden", out var hidden) ? hidden.ValueKind == JsonValueKind.True : current.Hidden,
                UpdatedAt = time.GetUtcNow(),
            };
            Validate(updated);
            catalog.TryReplace(updated);
            await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => HubSpotJson.WriteProperty(json, updated));
        }
    }

    public Task ListGroupsAsync(HttpContext context) =>
        HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var group in catalog.Groups)
            {
                HubSpotJson.WriteGroup(json, group);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

    public async Task CreateGroupAsync(HttpContext context)
    {
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object || Text(body, "name") is not { Length: > 0 } name || Text(body, "label") is not { Length: > 0 } label)
            {
                throw HubSpotJson.Validation("A property group needs name and label.");
            }

            if (!InternalName().IsMatch(name))
            {
                throw HubSpotJson.Validation($"Group name '{name}' must start with a lowercase letter and hold only lowercase letters, digits and underscores.");
            }

            var group = new SandboxPropertyGroup(name, label, Int(body, "displayOrder") ?? -1);
            if (!catalog.TryAddGroup(group))
            {
                await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status409Conflict, "OBJECT_ALREADY_EXISTS", $"A property group named '{name}' already exists.");
                return;
            }

            await HubSpotJson.WriteAsync(context, StatusCodes.Status201Created, json => HubSpotJson.WriteGroup(json, group));
        }
    }

    private void Validate(SandboxProperty property)
    {
        if (PropertyCatalog.ValidateDefinition(property.Type, property.FieldType, property.Options) is { } problem)
        {
            throw HubSpotJson.Validation($"Property '{property.Name}': {problem}.");
        }

        if (catalog.FindGroup(property.GroupName) is null)
        {
            throw HubSpotJson.Validation($"Property group '{property.GroupName}' does not exist.");
        }
    }

    private static string? Text(JsonElement body, string name) => body.TryGetProperty(name, out var value) ? HubSpotJson.AsText(value) : null;

    private static int? Int(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    /// <summary>From 2026-03 on, HubSpot's option input requires <c>displayOrder</c> (v3 defaulted it); property answers carry it in every version.</summary>
    private static bool RequiresOptionDisplayOrder(HttpContext context) => SandboxRoute.VersionOf(context) >= SandboxApiVersion.March2026;

    private static List<SandboxPropertyOption>? Options(JsonElement body, bool requireDisplayOrder)
    {
        if (!body.TryGetProperty("options", out var options) || options.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (options.ValueKind != JsonValueKind.Array)
        {
            throw HubSpotJson.Validation("options must be an array.");
        }

        return
        [
            .. options.EnumerateArray().Select((option, index) =>
            {
                if (option.ValueKind != JsonValueKind.Object || Text(option, "label") is not { } label || Text(option, "value") is not { } value)
                {
                    throw HubSpotJson.Validation("Every option needs label and value.");
                }

                if (requireDisplayOrder && Int(option, "displayOrder") is null)
                {
                    throw HubSpotJson.Validation($"options[{index}].displayOrder is required (option '{value}'): an integer, -1 to place the option last.");
                }

                return new SandboxPropertyOption(label, value, Int(option, "displayOrder") ?? index,
                    option.TryGetProperty("hidden", out var hidden) && hidden.ValueKind == JsonValueKind.True, Text(option, "description"));
            }),
        ];
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex InternalName();
}
