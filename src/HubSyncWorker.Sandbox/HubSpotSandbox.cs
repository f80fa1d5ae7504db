using System.Globalization;
using System.Net;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Faults;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Journal;
using HubSyncWorker.Sandbox.Properties;
using HubSyncWorker.Sandbox.RateLimiting;
using HubSyncWorker.Sandbox.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sandbox;

/// <summary>
/// An in-process fake HubSpot portal on real Kestrel (<c>http://127.0.0.1:&lt;free port&gt;</c>) with HubSpot's CRM contact and
/// property endpoints, rate limits and signed webhooks. Thread-safe; start one per test, demo or benchmark.
/// </summary>
public sealed partial class HubSpotSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebhookOutbox? _outbox;
    private readonly CancellationTokenSource _stopping;
    private readonly SandboxAccess _access;

    private HubSpotSandbox(WebApplication app, string baseUrl, SandboxOptions options, SandboxContactStore contacts, PropertyCatalog properties,
        SandboxStats stats, SandboxFaults faults, WebhookOutbox? outbox, CancellationTokenSource stopping, SandboxAccess access)
    {
        _app = app;
        _access = access;
        BaseUrl = baseUrl;
        Options = options;
        Contacts = contacts;
        Properties = properties;
        Stats = stats;
        Faults = faults;
        _outbox = outbox;
        _stopping = stopping;
    }

    /// <summary>Where the sandbox listens, e.g. <c>http://127.0.0.1:53117</c> (no trailing slash): use as the HubSpot base URL.</summary>
    public string BaseUrl { get; }

    /// <summary>
    /// The token clients must send as <c>Authorization: Bearer</c>: <see cref="SandboxOptions.AccessToken"/> until
    /// <see cref="SetAccessToken"/> rotates it (still this token while revoked).
    /// </summary>
    public string AccessToken => _access.Token;

    /// <summary>True between <see cref="RevokeAccessToken"/> and <see cref="RestoreAccessToken"/> (or <see cref="SetAccessToken"/>).</summary>
    public bool AccessTokenRevoked => _access.Revoked;

    /// <summary>The options the sandbox runs with (do not change them after start).</summary>
    public SandboxOptions Options { get; }

    /// <summary>The portal's contacts: seed, inspect and change them as a person would (webhooks fire).</summary>
    public SandboxContactStore Contacts { get; }

    /// <summary>The portal's contact property definitions.</summary>
    public PropertyCatalog Properties { get; }

    /// <summary>Counters by endpoint and status, 429s by policy, writes, webhook deliveries.</summary>
    public SandboxStats Stats { get; }

    /// <summary>Queue failures (500/502/524, hangs) for the next requests to an endpoint.</summary>
    public SandboxFaults Faults { get; }

    /// <summary>Starts a sandbox on a free loopback port. Invalid options throw <see cref="OptionsValidationException"/> naming each bad key.</summary>
    public static async Task<HubSpotSandbox> StartAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new SandboxOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(SandboxOptions.SectionName, typeof(SandboxOptions), validation.Failures);
        }

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<HubSpotSandbox>();
        var stats = new SandboxStats();
        var faults = new SandboxFaults();
        var catalog = new PropertyCatalog(options.TimeProvider.GetUtcNow());
        var outbox = options.WebhookTargetUrl is null ? null : new WebhookOutbox(options, stats, logger);
        var journal = new SandboxJournal(options, catalog);
        var contacts = new SandboxContactStore(catalog, options.TimeProvider, options.SearchIndexLag, stats, changes => { outbox?.Enqueue(changes); journal.Append(changes); });
        var budget = new SandboxRateBudget(options);
        var stopping = new CancellationTokenSource();
        var access = new SandboxAccess(options.AccessToken);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        app.UseRouting();
        JournalEndpoints.Map(app, journal, options, stats, logger);
        app.Use(next => context => GateAsync(context, next, options, access, budget, faults, stats, logger, stopping.Token));
        MapEndpoints(app, new ContactEndpoints(contacts, catalog, stats, options), new PropertyEndpoints(catalog, options.TimeProvider));
        var sales = SandboxSales.Map(app, contacts, options);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        outbox?.Start();
        Log.SandboxStarted(logger, baseUrl, outbox is null ? "off" : "on");
        return new HubSpotSandbox(app, baseUrl, options, contacts, catalog, stats, faults, outbox, stopping, access) { Sales = sales, Journal = journal };
    }

    /// <summary>
    /// Revokes the private app's token, as an admin removing the app or its access would: from now on every request is answered 401
    /// <c>INVALID_AUTHENTICATION</c> with HubSpot's error body (before rate limiting, consuming no budget) until
    /// <see cref="RestoreAccessToken"/> or <see cref="SetAccessToken"/>.
    /// </summary>
    public void RevokeAccessToken() => _access.Revoke();

    /// <summary>Accepts <see cref="AccessToken"/> again after <see cref="RevokeAccessToken"/>.</summary>
    public void RestoreAccessToken() => _access.Restore();

    /// <summary>
    /// Rotates the token: from now on only <paramref name="token"/> is accepted (the previous one gets 401), and a revocation ends.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty.</exception>
    public void SetAccessToken(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _access.Set(token);
    }

    /// <summary>Completes when every webhook event produced so far was delivered or given up (immediately when webhooks are off).</summary>
    public Task WaitForWebhooksDrainedAsync(CancellationToken cancellationToken) =>
        _outbox?.WaitForDrainAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_outbox is not null)
        {
            await _outbox.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static void MapEndpoints(WebApplication app, ContactEndpoints contacts, PropertyEndpoints properties)
    {
        // Unknown version segments match nothing and get the gate's 404, as at HubSpot.
        foreach (var (version, objects, definitions) in SandboxRoute.Prefixes)
        {
            void Map(string method, string pattern, string name, RequestDelegate handler, bool isSearch = false) =>
                app.MapMethods(pattern, [method], handler).WithMetadata(new SandboxRoute(name, isSearch, version));

            Map("GET", objects, SandboxEndpoint.ContactsList, contacts.ListAsync);
            Map("POST", objects + "/search", SandboxEndpoint.ContactsSearch, contacts.SearchAsync, isSearch: true);
            Map("POST", objects + "/batch/read", SandboxEndpoint.ContactsBatchRead, contacts.BatchReadAsync);
            Map("POST", objects + "/batch/update", SandboxEndpoint.ContactsBatchUpdate, contacts.BatchUpdateAsync);
            Map("GET", definitions, SandboxEndpoint.PropertiesList, properties.ListAsync);
            Map("POST", definitions, SandboxEndpoint.PropertiesCreate, properties.CreateAsync);
            Map("GET", definitions + "/groups", SandboxEndpoint.GroupsList, properties.ListGroupsAsync);
            Map("POST", definitions + "/groups", SandboxEndpoint.GroupsCreate, properties.CreateGroupAsync);
            Map("GET", definitions + "/{name}", SandboxEndpoint.PropertiesGet, properties.GetAsync);
            Map("PATCH", definitions + "/{name}", SandboxEndpoint.PropertiesUpdate, properties.UpdateAsync);
        }
    }

    /// <summary>Everything before the endpoint: auth (401), rate limits (429 + headers), injected faults, latency, error bodies, stats and log.</summary>
    private static async Task GateAsync(HttpContext context, RequestDelegate next, SandboxOptions options, SandboxAccess access, SandboxRateBudget budget,
        SandboxFaults faults, SandboxStats stats, ILogger logger, CancellationToken stopping)
    {
        var started = options.TimeProvider.GetTimestamp();
        var route = context.GetEndpoint()?.Metadata.GetMetadata<SandboxRoute>();
        var endpoint = route?.Name ?? SandboxEndpoint.Unknown;
        try
        {
            await HandleAsync(context, next, route, options, access, budget, faults, stats, stopping);
        }
        catch (HubSpotErrorException error) when (!context.Response.HasStarted)
        {
            await HubSpotJson.WriteErrorAsync(context, error.StatusCode, error.Category, error.Message, error.Details);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client gave up (a hang fault, or its own timeout): nothing to answer.
            context.Response.StatusCode = 499;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            Log.RequestFailed(logger, context.Request.Method, context.Request.Path, ex);
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "INTERNAL_ERROR", "internal error");
        }
        finally
        {
            stats.CountRequest(endpoint, context.Response.StatusCode);
            if (SandboxRoute.IsHistoryRead(context))
            {
                stats.CountHistoryRead(context.Response.StatusCode);
            }
            options.RequestLog?.Invoke(new SandboxRequestLogEntry(context.Request.Method, context.Request.Path + context.Request.QueryString, endpoint,
                context.Response.StatusCode, options.TimeProvider.GetElapsedTime(started), route?.Version));
        }
    }

    private static async Task HandleAsync(HttpContext context, RequestDelegate next, SandboxRoute? route, SandboxOptions options, SandboxAccess access,
        SandboxRateBudget budget, SandboxFaults faults, SandboxStats stats, CancellationToken stopping)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !access.Accepts(authorization[7..].Trim()))
        {
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview");
            return;
        }

        if (route is null)
        {
            await HubSpotJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND",
                $"No sandbox endpoint for {context.Request.Method} {context.Request.Path}.");
            return;
        }

        var decision = budget.TryAcquire(route.IsSearch);
        if (!route.IsSearch)
        {
            // HubSpot's search responses carry no rate-limit headers; every other response does.
            var headers = context.Response.Headers;
            headers["X-HubSpot-RateLimit-Max"] = decision.Max.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000";
            if (decision.DailyMax is { } dailyMax)
            {
                headers["X-HubSpot-RateLimit-Daily"] = dailyMax.ToString(CultureInfo.InvariantCulture);
                headers["X-HubSpot-RateLimit-Daily-Remaining"] = Math.Max(0, decision.DailyRemaining ?? 0).ToString(CultureInfo.InvariantCulture);
            }
        }

        if (decision.RefusedBy is { } policy)
        {
            stats.CountRateLimited(policy);
            await WriteRateLimitedAsync(context, policy);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (faults.Take(route.Name) is { } fault)
        {
            if (fault.Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, linked.Token);
            }

            if (fault.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await HubSpotJson.WriteErrorAsync(context, fault.StatusCode!.Value, FaultCategory(fault.StatusCode!.Value), $"Injected fault: HTTP {fault.StatusCode}.");
            return;
        }

        if (options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(options.Latency, options.TimeProvider, linked.Token);
        }

        await next(context);
    }

    private static Task WriteRateLimitedAsync(HttpContext context, string policy)
    {
        var message = policy switch
        {
            RateLimitPolicy.Secondly => "You have reached your secondly limit.",
            RateLimitPolicy.Daily => "You have reached your daily limit.",
            _ => "You have reached your ten_secondly_rolling limit.",
        };
        return HubSpotJson.WriteAsync(context, StatusCodes.Status429TooManyRequests, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("message", message);
            json.WriteString("errorType", "RATE_LIMIT");
            json.WriteString("correlationId", Guid.NewGuid());
            json.WriteString("policyName", policy);
            json.WriteString("requestId", Guid.NewGuid());
            json.WriteEndObject();
        });
    }

    /// <summary>The error category of an injected status; HubSpot documents none for 423 and 477, so these names are the sandbox's.</summary>
    private static string FaultCategory(int statusCode) => statusCode switch
    {
        StatusCodes.Status423Locked => "LOCKED",
        477 => "MIGRATION_IN_PROGRESS",
        StatusCodes.Status429TooManyRequests => "RATE_LIMITS",
        < 500 => "VALIDATION_ERROR",
        _ => "INTERNAL_ERROR",
    };
}
