namespace HubSyncWorker.Admin;

/// <summary>Admin log events (ids 7100-7199). Never the admin token or the Authorization header.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Full resync {RunId} triggered through the admin endpoint (dry run: {DryRun})")]
    public static partial void ResyncTriggered(ILogger logger, Guid runId, bool dryRun);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Admin-triggered full resync {RunId} ended: {Outcome}")]
    public static partial void ResyncFinished(ILogger logger, Guid runId, string outcome);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Admin request refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);
}
