using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Insights;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Admin;

/// <summary>
/// <c>POST /admin/resync[?dryRun=true]</c> starts a full resync on this worker (202 with <c>Location: /admin/resync</c>; 409 when one
/// is already running in this process); <c>GET /admin/resync</c> shows its progress. Both need <c>Authorization: Bearer &lt;Admin:Token&gt;</c>
/// (401 without it or with a wrong one); with no <c>Admin:Token</c> configured both answer 404, as if they did not exist.
/// </summary>
internal static class AdminEndpoints
{
    /// <summary>Every admin endpoint is under this path (served only on <c>Diagnostics:ManagementPort</c> when it is set).</summary>
    public const string PathPrefix = "/admin";

    public const string ResyncPath = "/admin/resync";

    public const string DeadLettersPath = "/admin/deadletters";

    /// <summary>The most dead letters one <c>GET /admin/deadletters</c> lists.</summary>
    private const int MaxListed = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedSection<AdminOptions, AdminOptionsRules>(builder.Configuration.GetSection(AdminOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<AdminResyncRunner>();
        builder.AddInsights();
        return builder;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(ResyncPath, StartResync);
        app.MapGet(ResyncPath, GetResync);
        app.MapGet(DeadLettersPath, ListDeadLettersAsync);
        app.MapPost(DeadLettersPath + "/retry", RetryDeadLettersAsync);
        app.MapInsights();
        return app;
    }

    private static IResult StartResync(HttpContext context, AdminResyncRunner runner, IOptionsMonitor<AdminOptions> options, ILogger<AdminResyncRunner> logger, bool? dryRun)
    {
        if (Authorize(context, options.CurrentValue, logger) is { } refused)
        {
            return refused;
        }

        var run = runner.TryStart(dryRun ?? false);
        if (run is null)
        {
            return Results.Json(new { error = "A full resync is already running in this process.", status = runner.Status }, Json, statusCode: StatusCodes.Status409Conflict);
        }

        return new AcceptedAt(ResyncPath, Results.Json(run, Json, statusCode: StatusCodes.Status202Accepted));
    }

    private static IResult GetResync(HttpContext context, AdminResyncRunner runner, IOptionsMonitor<AdminOptions> options, ILogger<AdminResyncRunner> logger) =>
        Authorize(context, options.CurrentValue, logger) ?? Results.Json(runner.Status, Json);

    /// <summary>
    /// <c>GET /admin/deadletters[?max=50]</c>: how many writes failed for good, and the newest letters (20 unless asked; at most
    /// 1000). The query is read only once the caller is authorized, so a refused caller learns nothing from a malformed one.
    /// </summary>
    private static async Task<IResult> ListDeadLettersAsync(
        HttpContext context, IDeadLetterStore deadLetters, IOptionsMonitor<AdminOptions> options, ILogger<AdminResyncRunner> logger)
    {
        if (Authorize(context, options.CurrentValue, logger) is { } refused)
        {
            return refused;
        }

        var max = 20;
        if (context.Request.Query["max"] is { Count: > 0 } text
            && (!int.TryParse(text.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxListed))
        {
            return Results.Json(new { error = $"max must be a whole number between 1 and {MaxListed}." }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        return await UnlessStorageUnavailableAsync(async () =>
        {
            var count = await deadLetters.CountAsync(context.RequestAborted);
            var letters = await deadLetters.ListAsync(max, context.RequestAborted);
            return Results.Json(new { count, letters }, Json);
        });
    }

    /// <summary>
    /// <c>POST /admin/deadletters/retry[?contactId=1&amp;contactId=2]</c>: queues the dead-lettered contacts (all, or those named) for
    /// evaluation again and removes their letters; 200 with what was done.
    /// </summary>
    private static async Task<IResult> RetryDeadLettersAsync(
        HttpContext context, DeadLetterRetry retry, IOptionsMonitor<AdminOptions> options, ILogger<AdminResyncRunner> logger)
    {
        if (Authorize(context, options.CurrentValue, logger) is { } refused)
        {
            return refused;
        }

        var contactIds = context.Request.Query["contactId"].Select(v => v ?? "").ToList();
        if (contactIds.Any(string.IsNullOrWhiteSpace))
        {
            return Results.Json(new { error = "contactId must not be empty." }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        return await UnlessStorageUnavailableAsync(async () => Results.Json(await retry.RetryAsync(contactIds, context.RequestAborted), Json));
    }

    /// <summary>Redis down is a 503 the caller can retry, not a 500 with a stack trace in the log.</summary>
    private static async Task<IResult> UnlessStorageUnavailableAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (StorageUnavailableException ex)
        {
            return Results.Json(new { error = ex.Message }, Json, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>Null when the request carries the admin token; else the answer to give (404 disabled, 401 missing or wrong).</summary>
    internal static IResult? Authorize(HttpContext context, AdminOptions options, ILogger logger)
    {
        if (!options.Enabled)
        {
            return Results.NotFound();
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            Log.Refused(logger, "no bearer token");
            return Unauthorized(context);
        }

        if (!TokensMatch(header[scheme.Length..].Trim(), options.Token!))
        {
            Log.Refused(logger, "wrong token");
            return Unauthorized(context);
        }

        return null;
    }

    /// <summary>Constant-time comparison of fixed-length digests, so neither the content nor the length of the token leaks through timing.</summary>
    internal static bool TokensMatch(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static IResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Unauthorized();
    }

    /// <summary>A 202 that also carries the Location of the status resource.</summary>
    private sealed class AcceptedAt(string location, IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return body.ExecuteAsync(httpContext);
        }
    }
}
