using Microsoft.Extensions.Logging;

namespace HubSyncWorker.HubSpot;

/// <summary>Every log line of the HubSpot client. None carries a token, an Authorization header or a request body.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "HubSpot {Method} {Path} attempt {Attempt} failed ({Outcome}, policy {PolicyName}); retrying in {Delay}")]
    public static partial void RetryScheduled(ILogger logger, string method, string path, int attempt, string outcome, string? policyName, TimeSpan delay);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "HubSpot answered 429 ({PolicyName}) to {Method} {Path}; holding back {Kind} requests for {Pause}")]
    public static partial void RateLimited(ILogger logger, string? policyName, string method, string path, string kind, TimeSpan pause);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "HubSpot's daily API limit is exhausted ({Method} {Path} answered 429 DAILY); not retrying until the daily reset")]
    public static partial void DailyLimitReached(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "HubSpot circuit breaker opened for {BreakDuration} after {Outcome}")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration, string outcome);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "HubSpot circuit breaker half-open: letting a trial request through")]
    public static partial void CircuitHalfOpened(ILogger logger);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "HubSpot circuit breaker closed: HubSpot answers again")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "HubSpot batch update rejected as a whole ({StatusCode} {Category}): {HubSpotMessage}")]
    public static partial void BatchUpdateRejected(ILogger logger, int statusCode, string? category, string? hubSpotMessage);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Created HubSpot contact property group {GroupName}")]
    public static partial void PropertyGroupCreated(ILogger logger, string groupName);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Created HubSpot contact property {PropertyName}")]
    public static partial void PropertyCreated(ILogger logger, string propertyName);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Updated HubSpot contact property {PropertyName}: {Change}")]
    public static partial void PropertyUpdated(ILogger logger, string propertyName, string change);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "HubSpot properties ensured: {Created} created, {Updated} updated, {Unchanged} unchanged")]
    public static partial void PropertiesEnsured(ILogger logger, int created, int updated, int unchanged);
}
