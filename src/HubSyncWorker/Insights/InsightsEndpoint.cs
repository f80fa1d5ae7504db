using System.Globalization;
using HubSyncWorker.Admin;
using HubSyncWorker.Qualification.Insights;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Insights;

/// <summary>
/// <c>GET /admin/insights[?sample=2000&amp;maxCalls=300&amp;targetMqlSqlRate=0.3&amp;targetMqlVolume=500]</c>: runs an insights analysis on
/// the running worker (its HubSpot budget shared with the live work) and answers the JSON report, as <c>insights --json</c> writes it.
/// Behind the admin token like every admin endpoint; one analysis at a time per process (409 with the running one's progress).
/// </summary>
internal static class InsightsEndpoint
{
    public const string Path = AdminEndpoints.PathPrefix + "/insights";

    /// <summary>The insights services: the collector and the one-at-a-time runner.</summary>
    public static IHostApplicationBuilder AddInsights(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InsightsCollector>();
        builder.Services.TryAddSingleton<InsightsRunner>();
        return builder;
    }

    public static WebApplication MapInsights(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(Path, GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext context, InsightsRunner runner, IOptionsMonitor<AdminOptions> options, ILogger<InsightsRunner> logger)
    {
        if (AdminEndpoints.Authorize(context, options.CurrentValue, logger) is { } refused)
        {
            return refused;
        }

        var query = context.Request.Query;
        var errors = new[]
        {
            Int(query["sample"], "sample", 1, out var sample),
            Int(query["maxCalls"], "maxCalls", InsightsJob.MinCalls, out var maxCalls),
            Int(query["targetMqlVolume"], "targetMqlVolume", 1, out var volume),
            Rate(query["targetMqlSqlRate"], out var rate),
        };
        if (errors.FirstOrDefault(e => e is not null) is { } bad)
        {
            return Results.Json(new { error = bad }, InsightsOutcome.Json, statusCode: StatusCodes.Status400BadRequest);
        }

        var job = new InsightsJob(new InsightsAsk(sample, maxCalls), new InsightsRequest(rate, volume));
        var outcome = await runner.TryRunAsync(job, null, null, context.RequestAborted);
        return outcome is null
            ? Results.Json(new { error = "An insights analysis is already running in this process.", status = runner.Running }, InsightsOutcome.Json, statusCode: StatusCodes.Status409Conflict)
            : Results.Json(outcome, InsightsOutcome.Json);
    }

    /// <summary>Null when the value is absent or a whole number of at least <paramref name="min"/>; else the error.</summary>
    private static string? Int(Microsoft.Extensions.Primitives.StringValues text, string name, int min, out int? value)
    {
        value = null;
        if (text.Count == 0)
        {
            return null;
        }

        if (int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min)
        {
            value = parsed;
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{name} must be a whole number of at least {min}; got '{text}'.");
    }

    private static string? Rate(Microsoft.Extensions.Primitives.StringValues text, out double rate)
    {
        rate = 0.3;
        if (text.Count == 0)
        {
            return null;
        }

        return double.TryParse(text.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out rate) && rate is > 0 and <= 1
            ? null
            : $"targetMqlSqlRate must be a rate above 0 and at most 1; got '{text}'.";
    }
}
