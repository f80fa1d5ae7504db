using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using HubSyncWorker.HubSpot.Webhooks;
using HubSyncWorker.Sandbox.Contacts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.Sandbox.Webhooks;

/// <summary>
/// Sends contact changes to the webhook target the way HubSpot does: JSON arrays of up to 100 events, gathered for the flush interval
/// (or until 100 are waiting), signed with v3, at most 10 requests in flight (<c>maxConcurrentRequests</c>), in the legacy or the generic
/// format. A connection failure, a timeout, a 5xx or a 429 is retried with doubling back-off and an incremented <c>attemptNumber</c>;
/// any other non-2xx answer (400, 401, 403, 404, 405...) is never retried: those events are lost, as at HubSpot, and counted as refused.
/// Runs on its own loop, never inside the API request that caused the change. All waiting uses the sandbox's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WebhookOutbox : IAsyncDisposable
{
    private const int MaxBatch = 100;
    private const int MaxInFlight = 10;
    private const string ContactTypeId = "0-1";
    private const string DealTypeId = "0-3";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly SandboxOptions _options;
    private readonly SandboxStats _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _url;
    private readonly string _signedUrl;
    private readonly HttpClient _http;
    private readonly Channel<ContactChange> _queue = Channel.CreateUnbounded<ContactChange>();
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<Task> _deliveries = [];
    private TaskCompletionSource _full = NewSignal();
    private TaskCompletionSource _drained = NewSignal();
    private long _outstanding;
    private long _nextEventId;
    private Task? _loop;

    public WebhookOutbox(SandboxOptions options, SandboxStats stats, ILogger logger)
    {
        _options = options;
        _stats = stats;
        _logger = logger;
        _time = options.TimeProvider;
        _url = options.WebhookTargetUrl!;
        _signedUrl = NormalizeUri(_url);
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight }) { Timeout = Timeout.InfiniteTimeSpan };
        _drained.TrySetResult();
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    public void Enqueue(IReadOnlyList<ContactChange> changes)
    {
        lock (_lock)
        {
            if (_outstanding == 0)
            {
                _drained = NewSignal();
            }

            _outstanding += changes.Count;
        }

        foreach (var change in changes)
        {
            _queue.Writer.TryWrite(change);
        }

        _stats.CountWebhookQueued(changes.Count);
        if (_queue.Reader.Count >= MaxBatch)
        {
            Volatile.Read(ref _full).TrySetResult();
        }
    }

    /// <summary>Completes when every queued event was delivered or given up (retries included).</summary>
    public Task WaitForDrainAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _outstanding == 0 ? Task.CompletedTask : _drained.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Task[] pending;
        lock (_lock)
        {
            pending = [.. _deliveries];
        }

        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _inFlight.Dispose();
        _stopping.Dispose();
    }

    /// <summary>HubSpot signs the URI with only these escapes decoded (the same rule the worker's verifier applies).</summary>
    internal static string NormalizeUri(string uri)
    {
        string[] escapes = ["%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B"];
        var builder = new StringBuilder(uri);
        foreach (var escape in escapes)
        {
            var character = (char)int.Parse(escape.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            builder.Replace(escape, character.ToString()).Replace(escape.ToLowerInvariant(), character.ToString());
        }

        return builder.ToString();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping))
            {
                if (_queue.Reader.Count < MaxBatch)
                {
                    await Task.WhenAny(Task.Delay(_options.WebhookFlushInterval, _time, stopping), Volatile.Read(ref _full).Task);
                    stopping.ThrowIfCancellationRequested();
                }

                Volatile.Write(ref _full, NewSignal());
                while (_queue.Reader.Count > 0)
                {
                    var batch = new List<ContactChange>(MaxBatch);
                    while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var change))
                    {
                        batch.Add(change);
                    }

                    var events = batch.Select(c => (Change: c, EventId: Interlocked.Increment(ref _nextEventId))).ToArray();
                    var delivery = DeliverAsync(events, stopping);
                    lock (_lock)
                    {
                        _deliveries.RemoveAll(t => t.IsCompleted);
                        _deliveries.Add(delivery);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: undelivered events are dropped with the sandbox.
        }
    }

    private async Task DeliverAsync((ContactChange Change, long EventId)[] events, CancellationToken stopping)
    {
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var status = await PostAsync(events, attempt, stopping);
                if (status is >= 200 and < 300)
                {
                    _stats.CountWebhookDelivered(events.Length);
                    break;
                }

                if (status is { } refused && !IsRetried(refused))
                {
                    Log.WebhookDeliveryRefused(_logger, events.Length, attempt, refused);
                    _stats.CountWebhookRefused(refused, events.Length);
                    break;
                }

                if (attempt >= _options.WebhookMaxRetries)
                {
                    Log.WebhookDeliveryAbandoned(_logger, events.Length, attempt + 1);
                    _stats.CountWebhookFailed(events.Length);
                    break;
                }

                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _options.WebhookRetryBaseDelay.Ticks << Math.Min(attempt, 20)));
                Log.WebhookDeliveryFailed(_logger, events.Length, attempt, status, delay);
                await Task.Delay(delay, _time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }

        lock (_lock)
        {
            _outstanding -= events.Length;
            if (_outstanding == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>HubSpot retries a 5xx and a 429 (and failures without an answer); any other status ends the delivery.</summary>
    private static bool IsRetried(int status) => status is >= 500 or StatusCodes.Status429TooManyRequests;

    /// <summary>POSTs one attempt; the status answered, or null when the target failed or timed out.</summary>
    private async Task<int?> PostAsync((ContactChange Change, long EventId)[] events, int attempt, CancellationToken stopping)
    {
        var body = Serialize(events, attempt);
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-HubSpot-Signature-v3",
            WebhookSignatureVerifier.ComputeV3(_options.WebhookClientSecret!, "POST", _signedUrl, body, timestamp));
        request.Headers.TryAddWithoutValidation("X-HubSpot-Request-Timestamp", timestamp);

        await _inFlight.WaitAsync(stopping);
        _stats.CountWebhookDelivery(retry: attempt > 0);
        try
        {
            using var timeout = new CancellationTokenSource(_options.WebhookTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            using var response = await _http.SendAsync(request, linked.Token);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            return null;
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private byte[] Serialize((ContactChange Change, long EventId)[] events, int attempt)
    {
        var generic = _options.WebhookFormat == SandboxWebhookFormat.Generic;
        var buffer = new ArrayBufferWriter<byte>(events.Length * 320);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (change, eventId) in events)
            {
                var subscriptionType = generic ? GenericType(change.SubscriptionType) : change.SubscriptionType;
                json.WriteStartObject();
                json.WriteNumber("eventId", eventId);
                json.WriteNumber("subscriptionId", SubscriptionId(subscriptionType));
                json.WriteNumber("portalId", _options.PortalId);
                json.WriteNumber("appId", _options.AppId);
                json.WriteNumber("occurredAt", change.OccurredAt.ToUnixTimeMilliseconds());
                json.WriteString("subscriptionType", subscriptionType);
                json.WriteNumber("attemptNumber", attempt);
                json.WriteNumber("objectId", change.ObjectId);
                if (generic && subscriptionType.StartsWith("object.", StringComparison.Ordinal) && change.AssociationType is null)
                {
                    // HubSpot's docs list objectTypeId for creation, deletion, merge, restore and property change events only;
                    // association events name both ends with fromObjectTypeId/toObjectTypeId instead.
                    json.WriteString("objectTypeId", ContactTypeId);
                    json.WriteBoolean("isSensitive", false);
                }

                json.WriteString("changeSource", change.ChangeSource);
                if (change.SourceId is not null)
                {
                    json.WriteString("sourceId", change.SourceId);
                }

                if (change.ChangeFlag is not null)
                {
                    json.WriteString("changeFlag", change.ChangeFlag);
                }

                if (change.PropertyName is not null)
                {
                    json.WriteString("propertyName", change.PropertyName);
                    json.WriteString("propertyValue", change.PropertyValue);
                }

                if (change.PrimaryObjectId is { } primary)
                {
                    json.WriteNumber("primaryObjectId", primary);
                    json.WriteStartArray("mergedObjectIds");
                    foreach (var merged in change.MergedObjectIds ?? [])
                    {
                        json.WriteNumberValue(merged);
                    }

                    json.WriteEndArray();
                    json.WriteNumber("newObjectId", change.NewObjectId ?? primary);
                }

                if (change.AssociationType is not null)
                {
                    json.WriteString("associationType", change.AssociationType);
                    json.WriteNumber("fromObjectId", change.FromObjectId ?? 0);
                    json.WriteNumber("toObjectId", change.ToObjectId ?? 0);
                    json.WriteBoolean("associationRemoved", change.AssociationRemoved ?? false);
                    json.WriteBoolean("isPrimaryAssociation", false);
                    if (generic)
                    {
                        var contactToDeal = change.AssociationType == "CONTACT_TO_DEAL";
                        json.WriteString("fromObjectTypeId", contactToDeal ? ContactTypeId : DealTypeId);
                        json.WriteString("toObjectTypeId", contactToDeal ? DealTypeId : ContactTypeId);

                        // HubSpot-defined association type ids: 4 contact to deal, 3 deal to contact.
                        json.WriteNumber("associationTypeId", contactToDeal ? 4 : 3);
                        json.WriteString("associationCategory", "HUBSPOT_DEFINED");
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The generic (<c>crmObjects</c>) name of a change; privacy deletion has no generic form and stays <c>contact.privacyDeletion</c> (<c>hubEvents</c>).</summary>
    private static string GenericType(string legacyType) =>
        legacyType == "contact.privacyDeletion" ? legacyType : "object." + legacyType["contact.".Length..];

    private static int SubscriptionId(string subscriptionType) => subscriptionType switch
    {
        "contact.creation" => 100001,
        "contact.propertyChange" => 100002,
        "contact.deletion" => 100003,
        "contact.merge" => 100004,
        "contact.associationChange" => 100005,
        "contact.restore" => 100006,
        "contact.privacyDeletion" => 100007,
        "object.creation" => 200001,
        "object.propertyChange" => 200002,
        "object.deletion" => 200003,
        "object.merge" => 200004,
        "object.associationChange" => 200005,
        "object.restore" => 200006,
        _ => 100000,
    };
}
