using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Sandbox.Auth;
using HubSyncWorker.Sandbox.Journal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.Sandbox.Http;

/// <summary>The names the sandbox gives its OAuth and Webhooks Journal endpoints in stats and the request log.</summary>
public static class JournalEndpoint
{
    public const string Token = "oauth.token";
    public const string SubscriptionsUpsert = "journal.subscriptions.upsert";
    public const string SubscriptionsList = "journal.subscriptions.list";
    public const string SubscriptionsGet = "journal.subscriptions.get";
    public const string SubscriptionsDelete = "journal.subscriptions.delete";
    public const string Earliest = "journal.earliest";
    public const string Latest = "journal.latest";
    public const string Next = "journal.next";
    public const string BatchEarliest = "journal.batchEarliest";
    public const string BatchLatest = "journal.batchLatest";
    public const string BatchNext = "journal.batchNext";
    public const string File = "journal.file";
}

/// <summary>Metadata of a journal-side route: its stats name and the scope its client-credentials token must hold (null: no token).</summary>
internal sealed record JournalRoute(string Name, string? Scope);

/// <summary>
/// The token endpoint, the journal subscriptions API, the local journal reads and the pre-signed files. They run in front of the
/// CRM gate, with their own: HubSpot authenticates the journal with a client-credentials token (not the private app's) and exempts it
/// from the 10-second and daily limits; the token endpoint and the files take no Authorization header at all.
/// </summary>
internal sealed class JournalEndpoints(SandboxJournal journal, SandboxOptions options)
{
    private const string Subscriptions = "/webhooks-journal/subscriptions/2026-03";
    private const string Local = "/webhooks-journal/journal-local/2026-03";
    internal const string FilesPath = "/sandbox-files/webhooks-journal";

    /// <summary>Maps the endpoints and puts their gate in front of the CRM one: call before the CRM gate is added.</summary>
    public static void Map(WebApplication app, SandboxJournal journal, SandboxOptions options, SandboxStats stats, ILogger logger)
    {
        var endpoints = new JournalEndpoints(journal, options);
        app.Use(next => context => context.GetEndpoint()?.Metadata.GetMetadata<JournalRoute>() is { } route
            ? GateAsync(context, route, journal, options, stats, logger)
            : next(context));

        void Map(string method, string pattern, string name, string? scope, RequestDelegate handler) =>
            app.MapMethods(pattern, [method], handler).WithMetadata(new JournalRoute(name, scope));

        Map("POST", "/oauth/v1/token", JournalEndpoint.Token, null, endpoints.TokenAsync);
        Map("POST", "/oauth/2026-03/token", JournalEndpoint.Token, null, endpoints.TokenAsync);
        Map("POST", Subscriptions, JournalEndpoint.SubscriptionsUpsert, SandboxClientCredentials.SubscriptionsWrite, endpoints.UpsertAsync);
        Map("GET", Subscriptions, JournalEndpoint.SubscriptionsList, SandboxClientCredentials.SubscriptionsRead, endpoints.ListAsync);
        Map("GET", Subscriptions + "/{subscriptionId}", JournalEndpoint.SubscriptionsGet, SandboxClientCredentials.SubscriptionsRead, endpoints.GetAsync);
        Map("DELETE", Subscriptions + "/{subscriptionId}", JournalEndpoint.SubscriptionsDelete, SandboxClientCredentials.SubscriptionsWrite, endpoints.DeleteAsync);
        Map("GET", Local + "/earliest", JournalEndpoint.Earliest, SandboxClientCredentials.JournalRead, context => endpoints.EdgeAsync(context, earliest: true));
        Map("GET", Local + "/latest", JournalEndpoint.Latest, SandboxClientCredentials.JournalRead, context => endpoints.EdgeAsync(context, earliest: false));
        Map("GET", Local + "/offset/{offset}/next", JournalEndpoint.Next, SandboxClientCredentials.JournalRead, endpoints.NextAsync);
        Map("GET", Local + "/batch/earliest/{count}", JournalEndpoint.BatchEarliest, SandboxClientCredentials.JournalRead, context => endpoints.BatchEdgeAsync(context, earliest: true));
        Map("GET", Local + "/batch/latest/{count}", JournalEndpoint.BatchLatest, SandboxClientCredentials.JournalRead, context => endpoints.BatchEdgeAsync(context, earliest: false));
        Map("GET", Local + "/batch/{offset}/next/{count}", JournalEndpoint.BatchNext, SandboxClientCredentials.JournalRead, endpoints.BatchNextAsync);
        Map("GET", FilesPath + "/{file}", JournalEndpoint.File, null, endpoints.FileAsync);
    }

    private static async Task GateAsync(HttpContext context, JournalRoute route, SandboxJournal journal, SandboxOptions options, SandboxStats stats, ILogger logger)
    {
        var started = options.TimeProvider.GetTimestamp();
        try
        {
            if (route.Scope is { } scope && await RefusedAsync(context, journal, scope))
            {
                return;
            }

            await context.GetEndpoint()!.RequestDelegate!(context);
        }
        catch (HubSpotErrorException error) when (!context.Response.HasStarted)
        {
            await HubSpotJson.WriteErrorAsync(context, error.StatusCode, error.Category, error.Message, error.Details);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            Log.RequestFailed(logger, context.Request.Method, context.Request.Path, ex);
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "INTERNAL_ERROR", "internal error");
        }
        finally
        {
            stats.CountRequest(route.Name, context.Response.StatusCode);

            // The file URL's signature is a credential: the log gets the path only.
            var query = route.Name == JournalEndpoint.File ? "" : context.Request.QueryString.ToString();
            options.RequestLog?.Invoke(new SandboxRequestLogEntry(context.Request.Method, context.Request.Path + query, route.Name,
                context.Response.StatusCode, options.TimeProvider.GetElapsedTime(started)));
        }
    }

    /// <summary>401 without a live client-credentials token, 403 <c>MISSING_SCOPES</c> when it lacks <paramref name="scope"/>.</summary>
    private static async Task<bool> RefusedAsync(HttpContext context, SandboxJournal journal, string scope)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? journal.Credentials.Find(authorization[7..].Trim()) : null;
        if (token is null)
        {
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "INVALID_AUTHENTICATION",
                "Authentication credentials not found or expired. The webhooks journal requires a client credentials token (POST /oauth/v1/token, grant_type=client_credentials).");
            return true;
        }

        if (!token.Scopes.Contains(scope))
        {
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "MISSING_SCOPES",
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
                });
            return true;
        }

        return false;
    }

    private async Task TokenAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await WriteTokenRefusalAsync(context, new TokenRefusal("BAD_REQUEST", "The body must be application/x-www-form-urlencoded.", []));
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (token, refusal) = journal.Credentials.Issue(form["grant_type"], form["client_id"], form["client_secret"], form["scope"]);
        if (refusal is not null)
        {
            await WriteTokenRefusalAsync(context, refusal);
            return;
        }

        await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("token_type", "bearer");
            json.WriteString("access_token", token!.Token);
            json.WriteNumber("expires_in", (long)journal.Credentials.Lifetime.TotalSeconds);
            json.WriteString("token_use", "client_credentials");
            json.WriteNumber("hub_id", options.PortalId);
            json.WriteStartArray("scopes");
            foreach (var scope in token.Scopes.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(scope);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static Task WriteTokenRefusalAsync(HttpContext context, TokenRefusal refusal) =>
        HubSpotJson.WriteAsync(context, StatusCodes.Status400BadRequest, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", refusal.Status);
            json.WriteString("message", refusal.Message);
            json.WriteString("correlationId", Guid.NewGuid());
            json.WriteString("category", refusal.Status);
            if (refusal.MissingScopes.Count > 0)
            {
                json.WriteStartObject("context");
                json.WriteStartArray("missingScopes");
                foreach (var scope in refusal.MissingScopes)
                {
                    json.WriteStringValue(scope);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });

    private async Task UpsertAsync(HttpContext context)
    {
        var (document, _) = await HubSpotJson.ReadBodyAsync(context);
        using (document)
        {
            var wanted = JournalSubscriptionRules.Read(document.RootElement, options, journal.Catalog);
            var (stored, _) = journal.Upsert(wanted);
            await HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => WriteSubscription(json, stored));
        }
    }

    private Task ListAsync(HttpContext context) =>
        HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var subscription in journal.Subscriptions)
            {
                WriteSubscription(json, subscription);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

    private Task GetAsync(HttpContext context)
    {
        var subscription = SubscriptionId(context) is { } id ? journal.FindSubscription(id) : null;
        return subscription is null
            ? NotFound(context, $"No subscription with id {context.Request.RouteValues["subscriptionId"]}.")
            : HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => WriteSubscription(json, subscription));
    }

    private Task DeleteAsync(HttpContext context)
    {
        if (SubscriptionId(context) is not { } id || !journal.DeleteSubscription(id))
        {
            return NotFound(context, $"No subscription with id {context.Request.RouteValues["subscriptionId"]}.");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private Task EdgeAsync(HttpContext context, bool earliest) => WriteSingleAsync(context, journal.Edge(earliest, 1));

    private Task NextAsync(HttpContext context)
    {
        var offset = (string)context.Request.RouteValues["offset"]!;
        return journal.After(offset, 1) is { } entries ? WriteSingleAsync(context, entries) : OffsetGone(context, offset);
    }

    private Task BatchEdgeAsync(HttpContext context, bool earliest) => WriteBatchAsync(context, journal.Edge(earliest, Count(context)));

    private Task BatchNextAsync(HttpContext context)
    {
        var offset = (string)context.Request.RouteValues["offset"]!;
        var count = Count(context);
        return journal.After(offset, count) is { } entries ? WriteBatchAsync(context, entries) : OffsetGone(context, offset);
    }

    /// <summary>
    /// The pre-signed file: no Authorization header, a signature over the offset and the expiry. Refusals answer as a storage
    /// service would (403/404 with an XML body), not as the HubSpot API.
    /// </summary>
    private async Task FileAsync(HttpContext context)
    {
        var file = (string)context.Request.RouteValues["file"]!;
        var offset = file.EndsWith(".json", StringComparison.Ordinal) ? file[..^5] : file;
        var query = context.Request.Query;
        if (!long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(query["signature"].ToString()), System.Text.Encoding.ASCII.GetBytes(journal.Sign(offset, expires))))
        {
            await WriteStorageErrorAsync(context, StatusCodes.Status403Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
            return;
        }

        if (options.TimeProvider.GetUtcNow().ToUnixTimeSeconds() >= expires)
        {
            await WriteStorageErrorAsync(context, StatusCodes.Status403Forbidden, "AccessDenied", "Request has expired");
            return;
        }

        if (journal.Find(offset) is not { } entry)
        {
            await WriteStorageErrorAsync(context, StatusCodes.Status404NotFound, "NoSuchKey", "The specified key does not exist.");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(entry.File, context.RequestAborted);
    }

    private static Task WriteStorageErrorAsync(HttpContext context, int statusCode, string code, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>", context.RequestAborted);
    }

    /// <summary>Nothing after the offset yet: 204 with no body.</summary>
    private Task WriteSingleAsync(HttpContext context, IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        var fetch = FetchOf(context, entries[0]);
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json => WriteFetch(json, fetch));
    }

    private Task WriteBatchAsync(HttpContext context, IReadOnlyList<JournalEntry> entries)
    {
        var started = options.TimeProvider.GetUtcNow();
        var fetches = entries.Select(e => FetchOf(context, e)).ToList();
        return HubSpotJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "COMPLETE");
            json.WriteStartArray("results");
            foreach (var fetch in fetches)
            {
                WriteFetch(json, fetch);
            }

            json.WriteEndArray();
            json.WriteString("requestedAt", HubSpotJson.Iso(started));
            json.WriteString("startedAt", HubSpotJson.Iso(started));
            json.WriteString("completedAt", HubSpotJson.Iso(options.TimeProvider.GetUtcNow()));
            json.WriteEndObject();
        });
    }

    private (string Offset, string Url, DateTimeOffset ExpiresAt) FetchOf(HttpContext context, JournalEntry entry)
    {
        var expiresAt = options.TimeProvider.GetUtcNow() + journal.FileUrlLifetime;
        var expires = expiresAt.ToUnixTimeSeconds();
        var url = string.Create(CultureInfo.InvariantCulture,
            $"{context.Request.Scheme}://{context.Request.Host}{FilesPath}/{entry.Offset}.json?expires={expires}&signature={journal.Sign(entry.Offset, expires)}");
        return (entry.Offset, url, DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    private static void WriteFetch(Utf8JsonWriter json, (string Offset, string Url, DateTimeOffset ExpiresAt) fetch)
    {
        json.WriteStartObject();
        json.WriteString("currentOffset", fetch.Offset);
        json.WriteString("url", fetch.Url);
        json.WriteString("expiresAt", HubSpotJson.Iso(fetch.ExpiresAt));
        json.WriteEndObject();
    }

    /// <summary>The answer for an offset older than the retention, or one never issued (as HubSpot documents, 404 for both).</summary>
    private static Task OffsetGone(HttpContext context, string offset) =>
        NotFound(context, $"The offset {offset} has expired or doesn't exist.");

    private static Task NotFound(HttpContext context, string message) =>
        HubSpotJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", message);

    private static int Count(HttpContext context) =>
        int.TryParse((string?)context.Request.RouteValues["count"], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1
            ? count
            : throw HubSpotJson.Validation($"count must be an integer of at least 1, was '{context.Request.RouteValues["count"]}'.");

    private static long? SubscriptionId(HttpContext context) =>
        long.TryParse((string?)context.Request.RouteValues["subscriptionId"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private void WriteSubscription(Utf8JsonWriter json, SandboxJournalSubscription subscription)
    {
        json.WriteStartObject();
        json.WriteNumber("id", subscription.Id);
        json.WriteNumber("appId", options.AppId);
        json.WriteString("subscriptionType", subscription.SubscriptionType);
        json.WriteString("objectTypeId", subscription.ObjectTypeId);
        json.WriteNumber("portalId", subscription.PortalId);
        WriteStrings(json, "actions", subscription.Actions);
        json.WriteStartArray("objectIds");
        foreach (var id in subscription.ObjectIds)
        {
            json.WriteNumberValue(id);
        }

        json.WriteEndArray();
        if (subscription.SubscriptionType == "OBJECT")
        {
            WriteStrings(json, "properties", subscription.Properties);
        }

        if (subscription.SubscriptionType == "ASSOCIATION")
        {
            WriteStrings(json, "associatedObjectTypeIds", subscription.AssociatedObjectTypeIds);
        }

        json.WriteString("createdAt", HubSpotJson.Iso(subscription.CreatedAt));
        json.WriteString("updatedAt", HubSpotJson.Iso(subscription.UpdatedAt));
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
