using System.Buffers;
using HubSyncWorker.HubSpot.Webhooks;
using HubSyncWorker.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Webhooks;

/// <summary>
/// <c>POST /webhooks/hubspot</c>: verify the signature over the raw bytes, parse, queue durably, then answer.
/// 401 bad or missing signature or stale timestamp; 400 malformed body; 413 too large; 503 when the queue is unreachable
/// (HubSpot retries, nothing is lost); 200 once the events are queued.
/// </summary>
internal static class WebhookEndpoint
{
    public static IEndpointRouteBuilder MapHubSpotWebhooks(this IEndpointRouteBuilder endpoints)
    {
        // Read without validation: mapping happens before start-up validation, which reports a bad value with every other one.
        var options = endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(WebhookOptions.SectionName).Get<WebhookOptions>() ?? new WebhookOptions();
        if (options.Enabled)
        {
            var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoint));
            endpoints.MapPost(
                options.Path,
                (HttpContext context, WebhookIntake intake, WebhookSignatureVerifier verifier, WebhookDeliveryReader reader, WebhookMetrics metrics, IOptionsMonitor<WebhookOptions> optionsMonitor)
                    => HandleAsync(context, intake, verifier, reader, metrics, optionsMonitor, logger))
                .WithName("HubSpotWebhook");
        }

        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        WebhookIntake intake,
        WebhookSignatureVerifier verifier,
        WebhookDeliveryReader reader,
        WebhookMetrics metrics,
        IOptionsMonitor<WebhookOptions> optionsMonitor,
        ILogger logger)
    {
        var options = optionsMonitor.CurrentValue;
        var request = context.Request;

        if (request.ContentLength > options.MaxBodyBytes)
        {
            return Reject(metrics, logger, StatusCodes.Status413PayloadTooLarge, "too_large", "body larger than Webhooks:MaxBodyBytes");
        }

        var (buffer, length) = await ReadBodyAsync(request.Body, request.ContentLength, options.MaxBodyBytes, context.RequestAborted);
        HubSpotWebhookEvent[]? events;
        try
        {
            if (length < 0)
            {
                return Reject(metrics, logger, StatusCodes.Status413PayloadTooLarge, "too_large", "body larger than Webhooks:MaxBodyBytes");
            }

            var body = new ReadOnlyMemory<byte>(buffer, 0, length);
            var signed = new SignedWebhookRequest(
                request.Method,
                SignedUri(context, options),
                body,
                request.Headers["X-HubSpot-Signature-v3"].ToString(),
                request.Headers["X-HubSpot-Request-Timestamp"].ToString(),
                request.Headers["X-HubSpot-Signature"].ToString(),
                request.Headers["X-HubSpot-Signature-Version"].ToString());
            var verdict = verifier.Verify(signed, options.ClientSecret!, new SignaturePolicy(options.AcceptSignatureV1, options.AcceptSignatureV2, options.MaxTimestampAge));
            if (verdict != SignatureVerificationResult.Valid)
            {
                return Reject(metrics, logger, StatusCodes.Status401Unauthorized, "unauthorized", verdict.ToString());
            }

            events = reader.Read(body.Span);
        }
        finally
        {
            // Back to the pool before the wait for Redis: under load, buffers held through that wait emptied the pool, and every
            // delivery then allocated a new one.
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (events is null)
        {
            return Reject(metrics, logger, StatusCodes.Status400BadRequest, "bad_request", "body is not a JSON array of event objects");
        }

        try
        {
            var summary = await intake.AcceptAsync(events, context.RequestAborted);
            metrics.Request("accepted");
            WebhookLog.DeliveryAccepted(logger, events.Length, summary.Queued, summary.Forgotten, summary.Duplicates, summary.Ignored);
            return Results.Ok();
        }
        catch (StorageUnavailableException ex)
        {
            metrics.Request("unavailable");
            WebhookLog.QueueUnavailable(logger, events.Length, ex);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The URL HubSpot signed: the configured public URL (behind a proxy) or this request's own, plus the raw query as sent.</summary>
    internal static string SignedUri(HttpContext context, WebhookOptions options)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget))
        {
            rawTarget = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        }

        if (string.IsNullOrEmpty(options.PublicUrl))
        {
            return $"{context.Request.Scheme}://{context.Request.Host}{rawTarget}";
        }

        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return queryStart < 0 ? options.PublicUrl : options.PublicUrl + rawTarget[queryStart..];
    }

    /// <summary>
    /// Reads the whole body into a pooled buffer (sized by the declared length, when there is one); length -1 when it exceeds
    /// <paramref name="maxBytes"/>.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, long? declaredLength, int maxBytes, CancellationToken cancellationToken)
    {
        // One byte more than declared: the read that finds the end then needs no larger buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(declaredLength is { } declared and < 16 * 1024 ? (int)declared + 1 : 16 * 1024);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes)
                {
                    return (buffer, -1);
                }

                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer, length > maxBytes ? -1 : length);
            }

            length += read;
            if (length > maxBytes)
            {
                return (buffer, -1);
            }
        }
    }

    private static IResult Reject(WebhookMetrics metrics, ILogger logger, int status, string outcome, string reason)
    {
        metrics.Request(outcome);
        WebhookLog.DeliveryRejected(logger, status, reason);
        return Results.StatusCode(status);
    }
}

internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Webhook delivery of {EventCount} events accepted: {Queued} queued, {Forgotten} forgotten, {Duplicates} duplicates, {Ignored} ignored")]
    public static partial void DeliveryAccepted(ILogger logger, int eventCount, int queued, int forgotten, int duplicates, int ignored);

    // The reason is an enum name or a fixed phrase: never the signature, the secret or the body.
    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Webhook delivery rejected with {StatusCode}: {Reason}")]
    public static partial void DeliveryRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Work queue unavailable: answered 503 to a delivery of {EventCount} events so HubSpot retries it")]
    public static partial void QueueUnavailable(ILogger logger, int eventCount, Exception exception);
}
