using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Crm;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>What differs between the lead and task endpoints.</summary>
/// <param name="ObjectName">The path segment (<c>leads</c>, <c>tasks</c>).</param>
/// <param name="ContactTypeIds">The HUBSPOT_DEFINED association type ids to a contact this object accepts on create.</param>
/// <param name="RequiresContact">Whether a create without a contact association is refused (leads).</param>
/// <param name="ContactAssociationType">The <c>type</c> HubSpot names the association with in a record's <c>associations</c>.</param>
/// <param name="ReadScope">The scope reads need; <paramref name="Available"/> false answers 403 naming it.</param>
/// <param name="WriteScope">The scope writes need, named the same way.</param>
/// <param name="Available">Whether the portal has this object now (Leads needs Sales Hub).</param>
internal sealed record CrmObjectKind(
    string ObjectName,
    IReadOnlySet<int> ContactTypeIds,
    bool RequiresContact,
    string ContactAssociationType,
    string ReadScope,
    string WriteScope,
    Func<bool> Available);

/// <summary>
/// The CRM object endpoints of leads and tasks: create (single, batch), read (single, batch), update (single, batch), archive and
/// search, with HubSpot's limits (batch ≤ 100, history batch reads ≤ 50), shapes and version rules (2026-09 batches answer 200 only).
/// </summary>
internal sealed class CrmObjectEndpoints(CrmObjectKind kind, CrmObjectTable table, Func<string, long?> contactKey, SandboxOptions options)
{
    private const int MaxBatchInputs = 100;
    private const int MaxHistoryBatchInputs = 50;
    private readonly ChangeOrigin _integration = new("INTEGRATION", options.AppId.ToString(CultureInfo.InvariantCulture));

    public async Task CreateAsync(HttpContext context)
    {
        EnsureAvailable(write: true);
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        CrmObjectView view;
        using (document)
        {
            var (properties, contacts) = ParseCreate(document.RootElement);
            var (created, errors) = table.Create(properties, contacts, _integration);
            view = created ?? throw CrmObjectJson.InvalidProperties(errors);
        }

        await HubSpotJson.WriteAsync(context, StatusCodes.Status201Created, json => CrmObjectJson.WriteRecord(json, view, properties: null));
    }

    public async Task BatchCreateAsync(HttpContext context)
    {
        EnsureAvailable(write: true);
        var startedAt = options.TimeProvider.GetUtcNow();
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        var created = new List<CrmObjectView>();
        using (document)
        {
            var inputs = BatchInputs(document.RootElement);
            var parsed = inputs.EnumerateArray().Select(ParseCreate).ToList();

            // HubSpot validates a batch create as a whole: one invalid input and nothing is created.
            for (var i = 0; i < parsed.Count; i++)
            {
                if (table.Validate(parsed[i].Properties, create: true) is { Count: > 0 } errors)
                {
                    throw CrmObjectJson.InvalidProperties(errors, id: $"inputs[{i}]");
                }
            }

            foreach (var (properties, contacts) in parsed)
            {
                var (view, errors) = table.Create(properties, contacts, _integration);
                created.Add(view ?? throw CrmObjectJson.InvalidProperties(errors));
            }
        }

        await HubSpotJson.WriteAsync(context, StatusCodes.Status201Created, json => WriteBatch(json, created, null, properties: null, startedAt));
    }

    public Task GetAsync(HttpContext context)
    {
        EnsureAvailable(write: false);
        var id = (string)context.GetRouteValue("id")!;
        var query = context.Request.Query;
        var archived = string.Equals(query["archived"], "true", StringComparison.OrdinalIgnoreCase);
        var view = table.Get(id, Csv(query["propertiesWithHistory"]), archived) ?? throw CrmObjectJson.NotFound(kind.ObjectName, id);
        var withContacts = Csv(query["associations"]).Any(a => a is "contacts" or "contact" or "0-1");
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
            CrmObjectJson.WriteRecord(json, view, OutputProperties(Csv(query["properties"])), withContacts ? kind.ContactAssociationType : null));
    }

    public async Task UpdateAsync(HttpContext context)
    {
        EnsureAvailable(write: true);
        var id = (string)context.GetRouteValue("id")!;
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        CrmObjectView view;
        using (document)
        {
            var (found, updated, errors) = table.Update(id, ParseProperties(document.RootElement, id), _integration);
            if (!found)
            {
                throw CrmObjectJson.NotFound(kind.ObjectName, id);
            }

            view = updated ?? throw CrmObjectJson.InvalidProperties(errors, id);
        }

        await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => CrmObjectJson.WriteRecord(json, view, properties: null));
    }

    public Task ArchiveAsync(HttpContext context)
    {
        EnsureAvailable(write: true);
        table.Archive((string)context.GetRouteValue("id")!);

        // HubSpot answers 204 whether or not the record existed.
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public async Task BatchReadAsync(HttpContext context)
    {
        EnsureAvailable(write: false);
        var startedAt = options.TimeProvider.GetUtcNow();
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var root = document.RootElement;
            var inputs = BatchInputs(root);
            var history = HubSpotJson.StringArray(root, "propertiesWithHistory");
            if (history.Count > 0 && inputs.GetArrayLength() > MaxHistoryBatchInputs)
            {
                throw HubSpotJson.Validation("The maximum number of inputs supported in a batch request for property histories is 50");
            }

            var ids = inputs.EnumerateArray().Select(RequiredId).ToList();
            var (found, missing) = table.Read(ids, history);
            var properties = OutputProperties(HubSpotJson.StringArray(root, "properties"));
            await HubSpotJson.WriteAsync(context, BatchStatus(context, missing.Count > 0), json => WriteBatch(json, found, missing, properties, startedAt));
        }
    }

    public async Task BatchUpdateAsync(HttpContext context)
    {
        EnsureAvailable(write: true);
        var startedAt = options.TimeProvider.GetUtcNow();
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        var updated = new List<CrmObjectView>();
        var missing = new List<string>();
        using (document)
        {
            var writes = BatchInputs(document.RootElement).EnumerateArray().Select(input => (Id: RequiredId(input), Properties: ParseProperties(input, null))).ToList();
            if (writes.GroupBy(w => w.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            {
                throw HubSpotJson.Validation($"Duplicate IDs found in batch input: [{duplicate.Key}]. IDs must be unique");
            }

            // An invalid value fails the whole batch (400), as HubSpot answers without multi-status; nothing is written.
            foreach (var (id, properties) in writes)
            {
                if (table.Validate(properties, create: false) is { Count: > 0 } errors)
                {
                    throw CrmObjectJson.InvalidProperties(errors, id);
                }
            }

            foreach (var (id, properties) in writes)
            {
                var (found, view, errors) = table.Update(id, properties, _integration);
                if (!found)
                {
                    missing.Add(id);
                }
                else
                {
                    updated.Add(view ?? throw CrmObjectJson.InvalidProperties(errors, id));
                }
            }
        }

        await HubSpotJson.WriteAsync(context, BatchStatus(context, missing.Count > 0), json => WriteBatch(json, updated, missing, properties: null, startedAt));
    }

    public async Task SearchAsync(HttpContext context)
    {
        EnsureAvailable(write: false);
        var (document, chars) = await HubSpotJson.ReadBodyAsync(context);
        CrmSearchQuery query;
        using (document)
        {
            query = CrmSearchQuery.Parse(document.RootElement, chars);
        }

        var (total, page) = table.Search(query);
        var properties = OutputProperties(query.Properties);
        await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("total", total);
            json.WriteStartArray("results");
            page.ForEach(view => CrmObjectJson.WriteRecord(json, view, properties));
            json.WriteEndArray();
            if (query.After + page.Count < total)
            {
                json.WriteStartObject("paging");
                json.WriteStartObject("next");
                json.WriteString("after", (query.After + page.Count).ToString(CultureInfo.InvariantCulture));
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }

    private void EnsureAvailable(bool write)
    {
        if (!kind.Available())
        {
            throw CrmObjectJson.MissingScopes(write ? kind.WriteScope : kind.ReadScope);
        }
    }

    private (Dictionary<string, string?> Properties, List<long> Contacts) ParseCreate(JsonElement input)
    {
        var properties = ParseProperties(input, null);
        var contacts = new List<long>();
        if (input.TryGetProperty("associations", out var associations) && associations.ValueKind == JsonValueKind.Array)
        {
            foreach (var association in associations.EnumerateArray())
            {
                contacts.Add(ParseContactAssociation(association));
            }
        }

        if (kind.RequiresContact && contacts.Count == 0)
        {
            throw HubSpotJson.Validation(
                $"A {kind.ObjectName[..^1]} must be associated with an existing contact when it is created: add an association to the contact with associationTypeId " +
                $"{string.Join(" or ", kind.ContactTypeIds.Order())} (HUBSPOT_DEFINED).");
        }

        return (properties, contacts);
    }

    private long ParseContactAssociation(JsonElement association)
    {
        var toId = association.ValueKind == JsonValueKind.Object && association.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.Object
            && to.TryGetProperty("id", out var idElement) ? HubSpotJson.AsText(idElement) : null;
        if (string.IsNullOrEmpty(toId) || !association.TryGetProperty("types", out var types) || types.ValueKind != JsonValueKind.Array || types.GetArrayLength() == 0)
        {
            throw HubSpotJson.Validation("associations[] needs to.id and at least one entry in types.");
        }

        foreach (var type in types.EnumerateArray())
        {
            var category = type.TryGetProperty("associationCategory", out var c) ? HubSpotJson.AsText(c) : null;
            var typeId = type.TryGetProperty("associationTypeId", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) ? n : (int?)null;
            if (category != "HUBSPOT_DEFINED" || typeId is not { } id || !kind.ContactTypeIds.Contains(id))
            {
                throw HubSpotJson.Validation(
                    $"Association type {category}/{typeId?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} is not valid from {kind.ObjectName} to contacts; " +
                    $"the sandbox models HUBSPOT_DEFINED {string.Join(", ", kind.ContactTypeIds.Order())}.");
            }
        }

        return contactKey(toId) ?? throw HubSpotJson.Validation($"The associated contact {toId} does not exist.");
    }

    private static Dictionary<string, string?> ParseProperties(JsonElement input, string? id)
    {
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("properties", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            throw HubSpotJson.Validation(id is null ? "properties is required." : $"properties is required (id {id}).");
        }

        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            properties[property.Name] = HubSpotJson.AsText(property.Value) ?? "";
        }

        return properties;
    }

    private static JsonElement BatchInputs(JsonElement root)
    {
        var inputs = HubSpotJson.RequiredArray(root, "inputs");
        if (inputs.GetArrayLength() > MaxBatchInputs)
        {
            throw HubSpotJson.Validation($"Batch input has {inputs.GetArrayLength()} inputs; at most {MaxBatchInputs} are allowed.");
        }

        return inputs;
    }

    private static string RequiredId(JsonElement input) =>
        input.ValueKind == JsonValueKind.Object && input.TryGetProperty("id", out var id) && HubSpotJson.AsText(id) is { Length: > 0 } text
            ? text
            : throw HubSpotJson.Validation("inputs[].id is required.");

    private static string[] OutputProperties(IReadOnlyCollection<string> requested) =>
        requested.Count == 0 ? CrmObjectJson.DefaultProperties : [.. requested.Distinct(StringComparer.Ordinal)];

    /// <summary>v3 and 2026-03 answer a batch with errors 207; 2026-09 answers 200 with the errors inside.</summary>
    private static int BatchStatus(HttpContext context, bool hasErrors) =>
        hasErrors && SandboxRoute.VersionOf(context) < SandboxApiVersion.September2026 ? StatusCodes.Status207MultiStatus : StatusCodes.Status200OK;

    private void WriteBatch(Utf8JsonWriter json, List<CrmObjectView> results, List<string>? missing, IReadOnlyCollection<string>? properties, DateTimeOffset startedAt)
    {
        json.WriteStartObject();
        json.WriteString("status", "COMPLETE");
        json.WriteStartArray("results");
        results.ForEach(view => CrmObjectJson.WriteRecord(json, view, properties));
        json.WriteEndArray();
        if (missing is { Count: > 0 })
        {
            json.WriteNumber("numErrors", 1);
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("category", "OBJECT_NOT_FOUND");
            if (options.WriteSubCategoryInBatchErrors)
            {
                json.WriteStartObject("subCategory");
                json.WriteEndObject();
            }

            json.WriteString("message", $"Could not get some {kind.ObjectName.ToUpperInvariant()[..^1]} objects, they may be deleted or not exist. Check that ids are valid.");
            json.WriteStartObject("context");
            json.WriteStartArray("ids");
            missing.ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteString("startedAt", HubSpotJson.Iso(startedAt));
        json.WriteString("completedAt", HubSpotJson.Iso(options.TimeProvider.GetUtcNow()));
        json.WriteEndObject();
    }

    private static List<string> Csv(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
