namespace HubSyncWorker.Diagnostics;

/// <summary>Diagnostics log events (ids 7000-7099). Never a token, a secret or a connection string.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "HubSpot rejected the access token (HTTP {StatusCode}); /health reports unhealthy until a check succeeds")]
    public static partial void TokenRejected(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "HubSpot token check could not reach HubSpot: {Reason}")]
    public static partial void TokenCheckFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "HubSpot accepted the access token")]
    public static partial void TokenAccepted(ILogger logger);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Reading the work queue's statistics for /metrics failed: {Reason}")]
    public static partial void QueueStatsFailed(ILogger logger, string reason);
}
