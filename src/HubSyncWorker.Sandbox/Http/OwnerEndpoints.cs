using System.Globalization;
using HubSyncWorker.Sandbox.Owners;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HubSyncWorker.Sandbox.Http;

/// <summary><c>/crm/owners</c>: list (paged, <c>archived</c> and <c>email</c> filters) and get by id or user id.</summary>
internal sealed class OwnerEndpoints(SandboxOwners owners)
{
    private const int MaxLimit = 500;

    public Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = query.TryGetValue("limit", out var rawLimit) && int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 100;
        if (limit is < 1 or > MaxLimit)
        {
            throw HubSpotJson.Validation($"limit must be between 1 and {MaxLimit} (was {rawLimit}).");
        }

        var offset = 0;
        if (query.TryGetValue("after", out var after) && !string.IsNullOrEmpty(after) && !int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            throw HubSpotJson.Validation($"Invalid paging cursor '{after}'.");
        }

        var archived = string.Equals(query["archived"], "true", StringComparison.OrdinalIgnoreCase);
        var email = query["email"].ToString();
        var matching = owners.All.Where(o => o.Archived == archived && (email.Length == 0 || string.Equals(o.Email, email, StringComparison.OrdinalIgnoreCase))).ToList();
        var page = matching.Skip(offset).Take(limit).ToList();
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            page.ForEach(owner => WriteOwner(json, owner));
            json.WriteEndArray();
            if (offset + page.Count < matching.Count)
            {
                json.WriteStartObject("paging");
                json.WriteStartObject("next");
                json.WriteString("after", (offset + page.Count).ToString(CultureInfo.InvariantCulture));
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }

    public Task GetAsync(HttpContext context)
    {
        var id = (string)context.GetRouteValue("id")!;
        var byUserId = string.Equals(context.Request.Query["idProperty"], "userId", StringComparison.Ordinal);
        var archived = string.Equals(context.Request.Query["archived"], "true", StringComparison.OrdinalIgnoreCase);
        var owner = owners.All.FirstOrDefault(o => (byUserId ? o.UserId.ToString(CultureInfo.InvariantCulture) : o.Id) == id && o.Archived == archived)
            ?? throw new HubSpotErrorException(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"No owner with {(byUserId ? "userId" : "id")} {id} exists.");
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => WriteOwner(json, owner));
    }

    private static void WriteOwner(System.Text.Json.Utf8JsonWriter json, SandboxOwner owner)
    {
        json.WriteStartObject();
        json.WriteString("id", owner.Id);
        json.WriteString("email", owner.Email);
        json.WriteString("firstName", owner.FirstName);
        json.WriteString("lastName", owner.LastName);
        json.WriteString("type", "PERSON");
        json.WriteNumber("userId", owner.UserId);
        json.WriteNumber("userIdIncludingInactive", owner.UserId);
        json.WriteString("createdAt", HubSpotJson.Iso(owner.CreatedAt));
        json.WriteString("updatedAt", HubSpotJson.Iso(owner.UpdatedAt));
        json.WriteBoolean("archived", owner.Archived);
        json.WriteStartArray("teams");
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
