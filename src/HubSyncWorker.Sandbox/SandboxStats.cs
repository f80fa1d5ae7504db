using System.Collections.Concurrent;

namespace HubSyncWorker.Sandbox;

/// <summary>The names the sandbox gives its endpoints in stats, faults and the request log.</summary>
public static class SandboxEndpoint
{
    public const string ContactsList = "contacts.list";
    public const string ContactsSearch = "contacts.search";
    public const string ContactsBatchRead = "contacts.batchRead";
    public const string ContactsBatchUpdate = "contacts.batchUpdate";
    public const string PropertiesList = "properties.list";
    public const string PropertiesGet = "properties.get";
    public const string PropertiesCreate = "properties.create";
    public const string PropertiesUpdate = "properties.update";
    public const string GroupsList = "groups.list";
    public const string GroupsCreate = "groups.create";
    public const string Unknown = "unknown";
}

/// <summary>Rate-limit policy names, as HubSpot reports them in 429 bodies.</summary>
public static class RateLimitPolicy
{
    public const string TenSecondlyRolling = "TEN_SECONDLY_ROLLING";
    public const string Secondly = "SECONDLY";
    public const string Daily = "DAILY";
}

/// <summary>Thread-safe counters of what the sandbox has seen and done since start (or the last <see cref="Reset"/>).</summary>
public sealed class SandboxStats
{
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, long> _rateLimited = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _webhookRefused = new();
    private readonly ConcurrentDictionary<int, long> _historyReads = new();
    private long _batchUpdateInputs;
    private long _writesChanged;
    private long _writesUnchanged;
    private long _webhookEventsQueued;
    private long _webhookEventsDelivered;
    private long _webhookEventsFailed;
    private long _webhookDeliveries;
    private long _webhookRetries;

    /// <summary>Every answered request (including 401s, 429s and injected faults).</summary>
    public long TotalRequests => _requests.Values.Sum();

    /// <summary>Requests to <paramref name="endpoint"/> (a <see cref="SandboxEndpoint"/> name), optionally only those answered <paramref name="status"/>.</summary>
    public long Requests(string endpoint, int? status = null) =>
        _requests.Where(r => r.Key.Endpoint == endpoint && (status is null || r.Key.Status == status)).Sum(r => r.Value);

    /// <summary>
    /// Batch reads that asked for <c>propertiesWithHistory</c> (a part of <see cref="SandboxEndpoint.ContactsBatchRead"/>), optionally only
    /// those answered <paramref name="status"/>. A read refused before its body was read (401, 429, an injected fault) counts as current.
    /// </summary>
    public long HistoryBatchReads(int? status = null) => _historyReads.Where(r => status is null || r.Key == status).Sum(r => r.Value);

    /// <summary>Batch reads of current values only: <see cref="SandboxEndpoint.ContactsBatchRead"/> requests less <see cref="HistoryBatchReads"/>.</summary>
    public long CurrentBatchReads(int? status = null) => Requests(SandboxEndpoint.ContactsBatchRead, status) - HistoryBatchReads(status);

    /// <summary>A copy of all request counters by endpoint and status.</summary>
    public IReadOnlyDictionary<(string Endpoint, int Status), long> RequestsByEndpointAndStatus => new Dictionary<(string, int), long>(_requests);

    /// <summary>429 answers for <paramref name="policyName"/> (a <see cref="RateLimitPolicy"/> name).</summary>
    public long RateLimited(string policyName) => _rateLimited.GetValueOrDefault(policyName);

    /// <summary>All 429 answers.</summary>
    public long TotalRateLimited => _rateLimited.Values.Sum();

    /// <summary>Inputs received by batch update (valid or not).</summary>
    public long BatchUpdateInputs => Interlocked.Read(ref _batchUpdateInputs);

    /// <summary>Write inputs (batch update or <see cref="Contacts.SandboxContactStore.UpdateAsUser"/>) that changed at least one value.</summary>
    public long WritesChanged => Interlocked.Read(ref _writesChanged);

    /// <summary>Write inputs that changed nothing (every value equal to the current one, or a backward lifecycle stage): wasted calls.</summary>
    public long WritesUnchanged => Interlocked.Read(ref _writesUnchanged);

    /// <summary>Webhook events produced by changes.</summary>
    public long WebhookEventsQueued => Interlocked.Read(ref _webhookEventsQueued);

    /// <summary>Webhook events acknowledged with a 2xx by the target.</summary>
    public long WebhookEventsDelivered => Interlocked.Read(ref _webhookEventsDelivered);

    /// <summary>Webhook events given up after the last retry.</summary>
    public long WebhookEventsFailed => Interlocked.Read(ref _webhookEventsFailed);

    /// <summary>Webhook events lost at once because the target answered a status HubSpot never retries (400, 401, 403, 404, 405, ...).</summary>
    public long WebhookEventsRefused => _webhookRefused.Values.Sum();

    /// <summary>Webhook events lost because the target answered <paramref name="statusCode"/> (never retried).</summary>
    public long WebhookEventsRefusedWith(int statusCode) => _webhookRefused.GetValueOrDefault(statusCode);

    /// <summary>POSTs made to the webhook target (first attempts and retries).</summary>
    public long WebhookDeliveries => Interlocked.Read(ref _webhookDeliveries);

    /// <summary>POSTs that were retries of a failed delivery.</summary>
    public long WebhookRetries => Interlocked.Read(ref _webhookRetries);

    /// <summary>Sets every counter back to zero.</summary>
    public void Reset()
    {
        _requests.Clear();
        _rateLimited.Clear();
        _webhookRefused.Clear();
        _historyReads.Clear();
        Interlocked.Exchange(ref _batchUpdateInputs, 0);
        Interlocked.Exchange(ref _writesChanged, 0);
        Interlocked.Exchange(ref _writesUnchanged, 0);
        Interlocked.Exchange(ref _webhookEventsQueued, 0);
        Interlocked.Exchange(ref _webhookEventsDelivered, 0);
        Interlocked.Exchange(ref _webhookEventsFailed, 0);
        Interlocked.Exchange(ref _webhookDeliveries, 0);
        Interlocked.Exchange(ref _webhookRetries, 0);
    }

    internal void CountRequest(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, static (_, n) => n + 1);

    internal void CountHistoryRead(int status) => _historyReads.AddOrUpdate(status, 1, static (_, n) => n + 1);

    internal void CountRateLimited(string policyName) => _rateLimited.AddOrUpdate(policyName, 1, static (_, n) => n + 1);

    internal void CountBatchUpdateInputs(int inputs) => Interlocked.Add(ref _batchUpdateInputs, inputs);

    internal void CountWrites(int changed, int unchanged)
    {
        Interlocked.Add(ref _writesChanged, changed);
        Interlocked.Add(ref _writesUnchanged, unchanged);
    }

    internal void CountWebhookQueued(int events) => Interlocked.Add(ref _webhookEventsQueued, events);

    internal void CountWebhookDelivery(bool retry)
    {
        Interlocked.Increment(ref _webhookDeliveries);
        if (retry)
        {
            Interlocked.Increment(ref _webhookRetries);
        }
    }

    internal void CountWebhookDelivered(int events) => Interlocked.Add(ref _webhookEventsDelivered, events);

    internal void CountWebhookFailed(int events) => Interlocked.Add(ref _webhookEventsFailed, events);

    internal void CountWebhookRefused(int statusCode, int events) => _webhookRefused.AddOrUpdate(statusCode, events, (_, n) => n + events);
}
