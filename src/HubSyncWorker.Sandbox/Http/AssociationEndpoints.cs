using System.Globalization;
using HubSyncWorker.Sandbox.Crm;
using HubSyncWorker.Sandbox.Engagements;
using HubSyncWorker.Sandbox.Leads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>
/// Reads associations between contacts and leads or tasks, both directions (<c>GET /crm/v4/objects/{from}/{id}/associations/{to}</c> and the
/// dated <c>/crm/objects/2026-03/...</c> twin): <c>{"results":[{"toObjectId","associationTypes":[{"category","typeId","label"}]}]}</c>.
/// Unlike search, this read is consistent right after a write. Type ids: lead→contact 578 (primary) and 608, contact→lead 609,
/// task→contact 204, contact→task 203.
/// </summary>
internal sealed class AssociationEndpoints(SandboxLeadStore leads, SandboxTaskStore tasks)
{
    public Task ReadAsync(HttpContext context)
    {
        var from = ObjectType((string)context.GetRouteValue("fromType")!);
        var to = ObjectType((string)context.GetRouteValue("toType")!);
        var id = (string)context.GetRouteValue("fromId")!;
        if ((from == "lead" || to == "lead") && !leads.ObjectAvailable)
        {
            throw CrmObjectJson.MissingScopes("crm.objects.leads.read");
        }

        var links = (from, to) switch
        {
            ("contact", "lead") => Linked(leads.Table, id, _ => [609]),
            ("contact", "task") => Linked(tasks.Table, id, _ => [203]),
            ("lead", "contact") => Contacts(leads.Table, id, primary => primary ? [578, 608] : [608]),
            ("task", "contact") => Contacts(tasks.Table, id, _ => [204]),
            _ => throw HubSpotJson.Validation($"The sandbox reads associations between contacts and leads or tasks only (asked {from} to {to})."),
        };

        // v4 examples carry toObjectId as a number, the dated spec types it as a string: each version gets its own.
        var numericIds = context.Request.Path.StartsWithSegments("/crm/v4", StringComparison.Ordinal);
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var (toId, typeIds) in links)
            {
                json.WriteStartObject();
                if (numericIds)
                {
                    json.WriteNumber("toObjectId", toId);
                }
                else
                {
                    json.WriteString("toObjectId", toId.ToString(CultureInfo.InvariantCulture));
                }

                json.WriteStartArray("associationTypes");
                foreach (var typeId in typeIds)
                {
                    json.WriteStartObject();
                    json.WriteString("category", "HUBSPOT_DEFINED");
                    json.WriteNumber("typeId", typeId);
                    json.WriteNull("label");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static List<(long ToId, int[] TypeIds)> Linked(CrmObjectTable table, string contactId, Func<bool, int[]> types) =>
        long.TryParse(contactId, NumberStyles.None, CultureInfo.InvariantCulture, out var contact)
            ? [.. table.ForContact(contact).Select(v => (v.Id, types(false)))]
            : [];

    private static List<(long ToId, int[] TypeIds)> Contacts(CrmObjectTable table, string id, Func<bool, int[]> types) =>
        table.Get(id, []) is { } view ? [.. view.State.ContactIds.Select((c, i) => (c, types(i == 0)))] : [];

    private static string ObjectType(string segment) => segment.ToLowerInvariant() switch
    {
        "contacts" or "contact" or "0-1" => "contact",
        "leads" or "lead" or "0-136" => "lead",
        "tasks" or "task" or "0-27" => "task",
        _ => segment,
    };
}
