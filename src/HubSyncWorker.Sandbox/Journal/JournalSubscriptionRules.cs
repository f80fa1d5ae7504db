using System.Text.Json;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Journal;

/// <summary>
/// Reads and checks a subscription upsert body as HubSpot's schema states it: the fields each subscription type requires, the actions
/// of the type, the app's own portal, and properties the portal has. Every problem is one 400 <c>VALIDATION_ERROR</c>.
/// </summary>
internal static class JournalSubscriptionRules
{
    private static readonly Dictionary<string, (string[] Required, string[] Actions)> Types = new(StringComparer.Ordinal)
    {
        ["OBJECT"] = (["actions", "objectIds", "objectTypeId", "portalId", "properties"], ["CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE"]),
        ["ASSOCIATION"] = (["actions", "associatedObjectTypeIds", "objectIds", "objectTypeId", "portalId"], ["ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"]),
        ["GDPR_PRIVACY_DELETION"] = (["actions", "objectTypeId", "portalId"], ["GDPR_DELETE"]),
    };

    public static SandboxJournalSubscription Read(JsonElement body, SandboxOptions options, PropertyCatalog catalog)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw HubSpotJson.Validation("The body must be a subscription object.");
        }

        var type = body.TryGetProperty("subscriptionType", out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString()! : "OBJECT";
        if (!Types.TryGetValue(type, out var rules))
        {
            throw HubSpotJson.Validation($"subscriptionType '{type}' is not one the sandbox journals; use OBJECT, ASSOCIATION or GDPR_PRIVACY_DELETION.");
        }

        var errors = new List<string>();
        errors.AddRange(rules.Required.Where(name => !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null).Select(name => $"'{name}' is required for {type}"));
        if (errors.Count > 0)
        {
            throw HubSpotJson.Validation(string.Join("; ", errors) + ".");
        }

        var actions = HubSpotJson.StringArray(body, "actions");
        if (actions.Count == 0)
        {
            errors.Add("'actions' must not be empty");
        }

        errors.AddRange(actions.Where(a => !rules.Actions.Contains(a, StringComparer.Ordinal)).Select(a => $"action '{a}' is not valid for {type} (valid: {string.Join(", ", rules.Actions)})"));
        var objectTypeId = HubSpotJson.AsText(body.GetProperty("objectTypeId"));
        if (objectTypeId != "0-1")
        {
            errors.Add($"objectTypeId '{objectTypeId}' is not journaled by the sandbox (contacts, 0-1, only)");
        }

        var portalId = body.GetProperty("portalId");
        if (portalId.ValueKind != JsonValueKind.Number || !portalId.TryGetInt64(out var portal) || portal != options.PortalId)
        {
            errors.Add($"portalId {portalId.GetRawText()} is not a portal the app is installed in ({options.PortalId})");
            portal = 0;
        }

        var objectIds = ObjectIds(body, errors);
        var properties = HubSpotJson.StringArray(body, "properties");
        errors.AddRange(properties.Where(p => catalog.Find(p) is null).Select(p => $"property '{p}' does not exist on contacts"));
        var associated = HubSpotJson.StringArray(body, "associatedObjectTypeIds");
        if (type == "ASSOCIATION" && associated.Count == 0)
        {
            errors.Add("'associatedObjectTypeIds' must not be empty");
        }

        if (errors.Count > 0)
        {
            throw HubSpotJson.Validation(string.Join("; ", errors) + ".");
        }

        // Stored in a canonical order so an upsert of the same set in another order changes nothing.
        return new SandboxJournalSubscription(0, type, objectTypeId!, portal, [.. actions.Distinct().Order(StringComparer.Ordinal)], objectIds,
            type == "OBJECT" ? [.. properties.Distinct().Order(StringComparer.Ordinal)] : [],
            type == "ASSOCIATION" ? [.. associated.Distinct().Order(StringComparer.Ordinal)] : [], default, default);
    }

    private static List<long> ObjectIds(JsonElement body, List<string> errors)
    {
        if (!body.TryGetProperty("objectIds", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add("'objectIds' must be an array");
            return [];
        }

        var ids = new List<long>();
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var id))
            {
                ids.Add(id);
            }
            else
            {
                errors.Add($"objectIds must be integers, not {element.GetRawText()}");
            }
        }

        return [.. ids.Distinct().Order()];
    }
}
