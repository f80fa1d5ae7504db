using Microsoft.Extensions.Logging;

namespace HubSyncWorker.HubSpot;

/// <summary>The handoff clients' log lines (event ids 1400-1449).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
        Message = "HubSpot refused {Operation} with {StatusCode} {Category}: no access to the Leads object (Sales Hub Professional and the crm.objects.leads scopes are needed)")]
    public static partial void LeadsUnavailable(ILogger logger, string operation, int statusCode, string? category);
}
