using Microsoft.Extensions.Logging;

namespace HubSyncWorker.Sandbox;

/// <summary>Every log line of the sandbox. Never logs the access token, the client secret or a signature.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "HubSpot sandbox listening on {BaseUrl} (webhooks {WebhooksState})")]
    public static partial void SandboxStarted(ILogger logger, string baseUrl, string webhooksState);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning,
        Message = "Webhook delivery of {EventCount} events failed (attempt {AttemptNumber}, status {StatusCode}); retrying in {RetryDelay}")]
    public static partial void WebhookDeliveryFailed(ILogger logger, int eventCount, int attemptNumber, int? statusCode, TimeSpan retryDelay);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "Webhook delivery of {EventCount} events given up after {AttemptNumber} attempts")]
    public static partial void WebhookDeliveryAbandoned(ILogger logger, int eventCount, int attemptNumber);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Error, Message = "Sandbox request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 9100, Level = LogLevel.Error,
        Message = "Webhook delivery of {EventCount} events refused with status {StatusCode} (attempt {AttemptNumber}); not retried: the events are lost, as at HubSpot")]
    public static partial void WebhookDeliveryRefused(ILogger logger, int eventCount, int attemptNumber, int statusCode);
}
