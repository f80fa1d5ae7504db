using System.Buffers;
using HubSyncWorker.HubSpot.Webhooks;
using HubSyncWorker.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Webhooks;

/// <summary>
/// <c>POST /webhooks/hubspot</c>: verify the signature over the raw bytes, parse, queue durably, then answer.
/// 401 bad or missing signature or stale timestamp (counted by cause, on <c>/health</c>, logged once a minute: HubSpot never
/// retries it); 400 a body that is not a JSON array; 413 too large; 503 when the queue is unreachable (HubSpot retries, nothing
/// is lost), when the queue holds more than <c>Redis:MaxQueueLength</c> entries, or when fewer Redis replicas than
/// <c>Redis:WaitForReplicas</c> confirmed the queued work; 200 once the events are queued, malformed events in it skipped and counted.
/// </summary>
internal static class WebhookEndpoint
{
    public static IEndpointRouteBuilder MapHubSpotWebhooks(this IEndpointRouteBuilder endpoints)
    {
        // The host maps its endpoints once the options were validated (WorkerHost).
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
        if (options.Enabled)
        {
            var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoint));
            endpoints.MapPost(
                options.Path,
                (HttpContext context, WebhookIntake intake, WebhookSignatureVerifier verifier, WebhookDeliveryReader reader, WebhookMetrics metrics,
                    WebhookRefusals refusals, QueueBound bound, ReplicaConfirmation replicas, IOptionsMonitor<WebhookOptions> optionsMonitor, TimeProvider time)
                    => HandleAsync(context, new Services(intake, verifier, reader, metrics, refusals, bound, replicas, time, logger), optionsMonitor.CurrentValue))
                .WithName("HubSpotWebhook");
        }

        return endpoints;
    }

    private sealed record Services(
        WebhookIntake Intake,
        WebhookSignatureVerifier Verifier,
        WebhookDeliveryReader Reader,
        WebhookMetrics Metrics,
        WebhookRefusals Refusals,
        QueueBound Bound,
        ReplicaConfirmation Replicas,
        TimeProvider Time,
        ILogger Logger);

    private static async Task<IResult> HandleAsync(HttpContext context, Services services, WebhookOptions options)
    {
        var request = context.Request;
        if (request.ContentLength > options.MaxBodyBytes)
        {
            return Reject(services, StatusCodes.Status413PayloadTooLarge, "too_large", "body larger than Webhooks:MaxBodyBytes");
        }

        var policy = new SignaturePolicy(options.AcceptSignatureV1, options.AcceptSignatureV2, options.MaxTimestampAge);
        var headers = request.Headers;
        var unsigned = new SignedWebhookRequest(
            request.Method,
            string.Empty,
            ReadOnlyMemory<byte>.Empty,
            headers["X-HubSpot-Signature-v3"].ToString(),
            headers["X-HubSpot-Request-Timestamp"].ToString(),
            headers["X-HubSpot-Signature"].ToString(),
            headers["X-HubSpot-Signature-Version"].ToString());

        // Cheap refusals first: what the headers alone decide, before the body is read or hashed.
        var precheck = services.Verifier.CheckHeaders(unsigned, policy);
        if (precheck != SignatureVerificationResult.Valid)
        {
            return Refuse(services, Diagnose(context, services, options, unsigned, precheck));
        }

        var (buffer, length) = await ReadBodyAsync(request.Body, request.ContentLength, options.MaxBodyBytes, context.RequestAborted);
        HubSpotWebhookEvent[]? events;
        try
        {
            if (length < 0)
            {
                return Reject(services, StatusCodes.Status413PayloadTooLarge, "too_large", "body larger than Webhooks:MaxBodyBytes");
            }

            var signed = unsigned with { Uri = SignedUri(context, options), Body = new ReadOnlyMemory<byte>(buffer, 0, length) };
            var verdict = services.Verifier.Verify(signed, options.AllClientSecrets(), policy);
            if (verdict != SignatureVerificationResult.Valid)
            {
                return Refuse(services, Diagnose(context, services, options, signed, verdict));
            }

            events = services.Reader.Read(signed.Body.Span);
        }
        finally
        {
            // Back to the pool before the wait for Redis: under load, buffers held through that wait emptied the pool, and every
            // delivery then allocated a new one.
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (events is null)
        {
            return Reject(services, StatusCodes.Status400BadRequest, "bad_request", "body is not a JSON array");
        }

        try
        {
            if (await services.Bound.IsFullAsync(context.RequestAborted))
            {
                // Logged by QueueBound when it fills and when it drains, not per delivery.
                services.Metrics.Request("queue_full");
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            var summary = await services.Intake.AcceptAsync(events, context.RequestAborted);
            // Also when every event was a duplicate: HubSpot's retry of a delivery answered 503 here is one, and is answered 200 only
            // once the replicas hold what the first attempt queued (WAIT covers every write before it, replication being in order).
            if (!await services.Replicas.ConfirmAsync(context.RequestAborted))
            {
                services.Metrics.Request("replicas_unconfirmed");
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            services.Metrics.Request("accepted");
            WebhookLog.DeliveryAccepted(services.Logger, events.Length, summary.Queued, summary.Forgotten, summary.Duplicates, summary.Ignored);
            if (summary.Malformed > 0)
            {
                WebhookLog.MalformedEventsSkipped(services.Logger, summary.Malformed, events.Length);
            }

            return Results.Ok();
        }
        catch (StorageUnavailableException ex)
        {
            services.Metrics.Request("unavailable");
            WebhookLog.QueueUnavailable(services.Logger, events.Length, ex);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The URL HubSpot signed: the configured public URL (behind a proxy) or this request's own, plus the raw query as sent.</summary>
    internal static string SignedUri(HttpContext context, WebhookOptions options)
    {
        var rawTarget = RawTarget(context);
        if (string.IsNullOrEmpty(options.PublicUrl))
        {
            return $"{context.Request.Scheme}://{context.Request.Host}{rawTarget}";
        }

        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return queryStart < 0 ? options.PublicUrl : options.PublicUrl + rawTarget[queryStart..];
    }

    /// <summary>
    /// The URLs HubSpot likely signed when the worker's own does not verify, most likely first: the other scheme (a proxy that
    /// terminates TLS), then the request's own URL when <see cref="WebhookOptions.PublicUrl"/> is set (a stale or mistyped one), or
    /// the URL a proxy reports in its <c>X-Forwarded-*</c> headers when it is not. A match only names the fix: the delivery stays
    /// refused, and a forwarded header cannot make a forged request verify (it still needs the client secret).
    /// </summary>
    internal static IEnumerable<string> LikelySignedUris(HttpContext context, WebhookOptions options, string signedUri)
    {
        yield return OtherScheme(signedUri);
        var request = context.Request;
        var rawTarget = RawTarget(context);
        if (!string.IsNullOrEmpty(options.PublicUrl))
        {
            var own = $"{request.Scheme}://{request.Host}{rawTarget}";
            yield return own;
            yield return OtherScheme(own);
            yield break;
        }

        var proto = FirstValue(request.Headers["X-Forwarded-Proto"].ToString());
        var host = FirstValue(request.Headers["X-Forwarded-Host"].ToString());
        if (proto.Length > 0 || host.Length > 0)
        {
            var prefix = FirstValue(request.Headers["X-Forwarded-Prefix"].ToString()).TrimEnd('/');
            var forwarded = $"{(proto.Length > 0 ? proto : request.Scheme)}://{(host.Length > 0 ? host : request.Host.ToString())}{prefix}{rawTarget}";
            yield return forwarded;
            yield return OtherScheme(forwarded);
        }

        // A proxy lists one value per hop; the first is the client's (HubSpot's) view.
        static string FirstValue(string header) => header.Split(',')[0].Trim();
    }

    private static string RawTarget(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(rawTarget) ? context.Request.PathBase + context.Request.Path + context.Request.QueryString : rawTarget;
    }

    private static string OtherScheme(string uri) =>
        uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "http://" + uri[8..]
        : uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "https://" + uri[7..]
        : uri;

    private static string WithoutQuery(string uri) => uri.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? uri[..q] : uri;

    /// <summary>The cause of a refusal and its likely fix; for a bad signature, whether another URL would have verified.</summary>
    private static WebhookRefusal Diagnose(HttpContext context, Services services, WebhookOptions options, in SignedWebhookRequest request, SignatureVerificationResult verdict)
    {
        var cause = WebhookRefusals.CauseOf(verdict) ?? RefusalCause.BadSignature;
        switch (cause)
        {
            case RefusalCause.MissingSignature:
                return new(cause, "Deliveries carry no X-HubSpot-Signature-v3 header: check that the proxy or ingress forwards HubSpot's X-HubSpot-* headers (or something other than HubSpot calls the endpoint).");
            case RefusalCause.SignatureVersionNotAccepted:
                return new(cause, "Deliveries are signed with v1 or v2, which Webhooks:AcceptSignatureV1/AcceptSignatureV2 leave off: an app of HubSpot's developer platform signs v3; turn the old version on only for an old app.");
            case RefusalCause.BadTimestamp:
                return new(cause, "X-HubSpot-Request-Timestamp is missing or not a number: check that the proxy or ingress forwards it unchanged.");
            case RefusalCause.StaleTimestamp:
                var skew = long.TryParse(request.Timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sent)
                    ? (services.Time.GetUtcNow().ToUnixTimeMilliseconds() - sent) / 1000.0
                    : 0;
                return new(cause, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The request timestamp was {skew:F0} s from this host's clock (Webhooks:MaxTimestampAge is {options.MaxTimestampAge:c}): check the clock of this host (NTP), and any proxy or queue that holds deliveries back."));
        }

        var secrets = options.AllClientSecrets();
        if (WebhookSignatureVerifier.FindSignedUri(request, secrets, LikelySignedUris(context, options, request.Uri)) is { } matched)
        {
            var url = WithoutQuery(matched);
            var scheme = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) != request.Uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? " (the scheme differs: a proxy in front of the worker terminates TLS)"
                : string.Empty;
            return new(RefusalCause.UrlMismatch, $"HubSpot signed {url}, not {WithoutQuery(request.Uri)}{scheme}: set Webhooks:PublicUrl to {url}.");
        }

        return new(RefusalCause.BadSignature, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The signature matches none of the {secrets.Count} configured client secret(s) at {WithoutQuery(request.Uri)}: check that Webhooks:ClientSecret (or Webhooks:ClientSecrets, during a rotation both the new and the old) holds the app's current client secret, and that Webhooks:PublicUrl is the URL HubSpot calls."));
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

    private static IResult Reject(Services services, int status, string outcome, string reason)
    {
        services.Metrics.Request(outcome);
        WebhookLog.DeliveryRejected(services.Logger, status, reason);
        return Results.StatusCode(status);
    }

    /// <summary>A signature refusal: counted and summarised by <see cref="WebhookRefusals"/>, never logged one by one.</summary>
    private static IResult Refuse(Services services, WebhookRefusal refusal)
    {
        services.Metrics.Request("unauthorized");
        services.Refusals.Record(refusal);
        return Results.StatusCode(StatusCodes.Status401Unauthorized);
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

    // Counts, cause labels, times, URLs and fixed phrases only: never the signature, the secret or the body.
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Refused {RefusedCount} webhook deliveries since {Since:O} ({Causes}); HubSpot does not retry a refused delivery, the incremental sync picks up its changes. Likely fix: {Fix}")]
    public static partial void DeliveriesRefused(ILogger logger, long refusedCount, DateTimeOffset since, string causes, string fix);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Skipped {MalformedCount} malformed events of a webhook delivery of {EventCount}; the others were accepted (counted as outcome 'malformed')")]
    public static partial void MalformedEventsSkipped(ILogger logger, int malformedCount, int eventCount);
}
