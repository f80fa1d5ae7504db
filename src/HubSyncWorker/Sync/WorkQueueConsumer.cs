using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>
/// Consumes the work queue: reads up to 100 contacts (waiting a moment to fill the batch), batch-reads them from HubSpot (their
/// conversion history too where the policy needs it, 50 per read),
/// evaluates, writes what changed, then acknowledges. A crash before the acknowledgement leaves the entries pending, and another
/// replica reclaims them; contacts gone from HubSpot are dropped; an entry that keeps failing is dead-lettered, not retried forever.
/// A failure that is not the entries' own (HubSpot or Redis unavailable, HubSpot's limits, a shutdown) hands them back uncounted;
/// so does HubSpot refusing the access token, which also pauses the consumer (<see cref="HubSpotAccessGate"/>) until a token is accepted.
/// </summary>
internal sealed class WorkQueueConsumer(
    IWorkQueue queue,
    ContactSnapshotReader reader,
    ContactBatchProcessor processor,
    IDeadLetterStore deadLetters,
    LiveSyncReport liveReport,
    SyncMetrics metrics,
    IOptionsMonitor<SyncOptions> options,
    IOptions<RedisOptions> redisOptions,
    BootstrapGate gate,
    HubSpotAccessGate access,
    TimeProvider timeProvider,
    ILogger<WorkQueueConsumer> logger) : BackgroundService
{
    /// <summary>After this many deliveries an entry is dead-lettered instead of retried.</summary>
    internal const int MaxDeliveries = 10;

    /// <summary>The dead-letter category of a contact whose processing failed on its own (split from its batch-mates).</summary>
    internal const string ProcessingFailed = "PROCESSING_FAILED";

    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumer = options.CurrentValue.EffectiveConsumerName;
        try
        {
            // Writes need the output properties: queued work waits (safely in the queue) until the bootstrap has succeeded.
            await gate.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        ConsumerLog.Started(logger, consumer);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Paused while HubSpot refuses the token: nothing is read, so no delivery is counted however long it lasts.
                await access.WaitUntilOpenAsync(stoppingToken);
                var processed = await ProcessOnceAsync(consumer, stoppingToken);
                failures = 0;
                if (!processed)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (TransientFailures.IsAccessRejected(ex) && !access.IsOpen)
            {
                // The entries went back uncounted and the gate says why; the next turn waits on it instead of backing off.
                failures = 0;
            }
            catch (Exception ex)
            {
                // Entries stay unacknowledged: they are handed out again after the queue's claim idle time.
                failures++;
                var backoff = ex is HubSpotDailyLimitExceededException
                    ? TimeSpan.FromMinutes(5)
                    : TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                ConsumerLog.BatchFailed(logger, ex, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Reads, processes and acknowledges one batch; false when the queue was empty.</summary>
    internal async Task<bool> ProcessOnceAsync(string consumer, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var items = await queue.ReadAsync(consumer, settings.QueueBatchSize, ReadWait, cancellationToken);
        if (items.Count == 0)
        {
            return false;
        }

        try
        {
            if (items.Count < settings.QueueBatchSize && settings.QueueBatchWindow > TimeSpan.Zero)
            {
                await Task.Delay(settings.QueueBatchWindow, timeProvider, cancellationToken);
                var more = await queue.ReadAsync(consumer, settings.QueueBatchSize - items.Count, TimeSpan.Zero, cancellationToken);
                if (more.Count > 0)
                {
                    items = [.. items, .. more];
                }
            }

            // While the batch runs, its claim is renewed, so a batch slowed by HubSpot's retries is not reclaimed and done twice.
            using var processing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var keepClaimed = KeepClaimedAsync(consumer, items, processing.Token);
            using var span = WorkerTracing.StartBatch(items, timeProvider.GetUtcNow());
            try
            {
                await ProcessItemsAsync(items, settings, cancellationToken);
            }
            catch (Exception ex)
            {
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
                throw;
            }
            finally
            {
                await processing.CancelAsync();
                await keepClaimed;
            }
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex) || TransientFailures.IsAccessRejected(ex) || cancellationToken.IsCancellationRequested)
        {
            // HubSpot or Redis down, HubSpot's limits, the token refused, or a shutdown part-way: the entries go back without a
            // delivery counted, so an outage of any length never dead-letters queued work (only failures that recur with HubSpot answering do).
            await ReleaseAsync(items);
            throw;
        }

        return true;
    }

    /// <summary>Renews the claim on <paramref name="items"/> every third of the claim idle time until cancelled; never throws.</summary>
    private async Task KeepClaimedAsync(string consumer, IReadOnlyList<LeasedWorkItem> items, CancellationToken cancellationToken)
    {
        var interval = redisOptions.Value.ClaimIdleTime / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, timeProvider, cancellationToken);
                try
                {
                    await queue.ExtendAsync(consumer, items, cancellationToken);
                }
                catch (StorageUnavailableException ex)
                {
                    // Redis away for a moment: the next renewal may still come in time; at worst the entries are reclaimed.
                    ConsumerLog.ExtendFailed(logger, ex, items.Count);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The batch is done.
        }
    }

    private async Task ReleaseAsync(IReadOnlyList<LeasedWorkItem> items)
    {
        try
        {
            // Not the stopping token: on shutdown the entries are still handed back (within a short bound).
            using var timeout = new CancellationTokenSource(ReleaseTimeout, timeProvider);
            await queue.ReleaseAsync(items, timeout.Token);
            ConsumerLog.Released(logger, items.Count);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or OperationCanceledException)
        {
            // Left pending: another read reclaims them after the claim idle time (that delivery is counted).
            ConsumerLog.ReleaseFailed(logger, ex, items.Count);
        }
    }

    private async Task ProcessItemsAsync(IReadOnlyList<LeasedWorkItem> items, SyncOptions settings, CancellationToken cancellationToken)
    {
        var poisoned = items.Where(i => i.DeliveryCount > MaxDeliveries).ToList();
        foreach (var item in poisoned)
        {
            metrics.DeadLettered("REPEATED_FAILURE");
            ConsumerLog.Poisoned(logger, item.Item.ContactId, item.DeliveryCount);
            await deadLetters.AddAsync(
                new DeadLetter(item.Item.ContactId, new Dictionary<string, string>(), "REPEATED_FAILURE", $"Processing failed {item.DeliveryCount - 1} times; see the logs for the errors.", timeProvider.GetUtcNow()),
                cancellationToken);
        }

        if (poisoned.Count > 0)
        {
            // Done with (dead-lettered): not handed back should the rest of the batch fail.
            await queue.AcknowledgeAsync(poisoned, cancellationToken);
        }

        // A read can hold a few more contacts than the batch size (an entry of the webhook inbox carries several): one HubSpot
        // batch read per batch size, and the whole read acknowledged once all of it is processed.
        var live = items.Where(i => i.DeliveryCount <= MaxDeliveries).ToList();
        var deliveries = live.GroupBy(i => i.Item.ContactId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(i => i.DeliveryCount), StringComparer.Ordinal);
        var failedAlone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in deliveries.Keys.Chunk(settings.QueueBatchSize))
        {
            await ProcessIsolatingAsync(chunk, deliveries, failedAlone, settings, cancellationToken);
        }

        // A contact that failed alone stays unacknowledged: handed out again after the claim idle time, its delivery counted.
        await queue.AcknowledgeAsync(failedAlone.Count == 0 ? items : [.. items.Where(i => !failedAlone.Contains(i.Item.ContactId))], cancellationToken);
        var now = timeProvider.GetUtcNow();
        foreach (var item in items)
        {
            metrics.QueueLatency(now - item.Item.EnqueuedAt);
        }
    }

    /// <summary>
    /// Reads, evaluates and writes <paramref name="ids"/>. A failure that is the contacts' own (HubSpot reporting an error tied to no
    /// contact, an exception evaluating one, a write refused for no named input) splits them in two, each half processed on its own,
    /// so only the contact at fault ends dead-lettered: one poison contact in 100 costs about 2 × log2(100) extra reads, not the
    /// other 99. Failures that are not theirs (HubSpot or Redis unavailable, the token refused, a shutdown) propagate, so the
    /// whole read goes back uncounted. The contact found at fault is not dead-lettered at once (a record locked for a while, a
    /// HubSpot error that passes): it goes into <paramref name="failedAlone"/> to be handed out again, and is dead-lettered only on
    /// its last allowed delivery.
    /// </summary>
    private async Task ProcessIsolatingAsync(
        IReadOnlyList<string> ids, IReadOnlyDictionary<string, long> deliveries, HashSet<string> failedAlone, SyncOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessContactsAsync(ids, settings, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException
            && !TransientFailures.IsTransient(ex) && !TransientFailures.IsAccessRejected(ex))
        {
            if (ids.Count == 1)
            {
                var delivery = deliveries.GetValueOrDefault(ids[0], MaxDeliveries);
                if (delivery < MaxDeliveries)
                {
                    ConsumerLog.ContactFailedWillRetry(logger, ex, ids[0], delivery, MaxDeliveries);
                    failedAlone.Add(ids[0]);
                    return;
                }

                metrics.DeadLettered(ProcessingFailed);
                ConsumerLog.ContactFailed(logger, ex, ids[0]);
                await deadLetters.AddAsync(
                    new DeadLetter(ids[0], new Dictionary<string, string>(), ProcessingFailed, $"Processing failed {delivery} times ({ex.GetType().Name}): {ex.Message}", timeProvider.GetUtcNow()),
                    cancellationToken);
                return;
            }

            ConsumerLog.BatchSplit(logger, ex, ids.Count);
            var half = ids.Count / 2;
            await ProcessIsolatingAsync(ids.Take(half).ToList(), deliveries, failedAlone, settings, cancellationToken);
            await ProcessIsolatingAsync(ids.Skip(half).ToList(), deliveries, failedAlone, settings, cancellationToken);
        }
    }

    private async Task ProcessContactsAsync(IReadOnlyList<string> ids, SyncOptions settings, CancellationToken cancellationToken)
    {
        var read = await WorkerTracing.TraceAsync(WorkerTracing.Read, ids.Count, () => reader.ReadAsync(ids, cancellationToken));
        if (read.NotFoundIds.Count > 0)
        {
            metrics.NotFound(read.NotFoundIds.Count);
            ConsumerLog.ContactsGone(logger, read.NotFoundIds.Count);
        }

        if (read.Errors.FirstOrDefault(e => e.ContactId is null) is { } untied)
        {
            // HubSpot reported a failure it tied to no input: which contacts were read is unknown, so these fail together and are
            // split until the one at fault is alone.
            throw new HubSpotApiException($"HubSpot batch read contacts reported an error for no particular contact ({untied.Category}): {untied.Message}");
        }

        foreach (var error in read.Errors)
        {
            // A contact HubSpot could not read (not a missing one: those are dropped above) is kept where an admin sees it.
            metrics.DeadLettered(error.Category ?? "READ_ERROR");
            ConsumerLog.ReadFailed(logger, error.ContactId!, error.Category, error.Message);
            await deadLetters.AddAsync(
                new DeadLetter(error.ContactId!, new Dictionary<string, string>(), error.Category ?? "READ_ERROR", $"HubSpot could not read the contact: {error.Message}", timeProvider.GetUtcNow()),
                cancellationToken);
        }

        var context = new ProcessingContext("queue", settings.DryRun, liveReport.Report);
        await processor.ProcessAsync(read.Found, historyIncluded: true, context, cancellationToken);
    }
}

/// <summary>The running tally of the queue path's decisions since start (the demo's and the admin endpoint's live funnel).</summary>
internal sealed class LiveSyncReport
{
    public SyncReport Report { get; } = new(samplesPerTransition: 5);
}

internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Work-queue consumer {Consumer} started")]
    public static partial void Started(ILogger logger, string consumer);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "A work-queue batch failed; its entries will be handed out again. Next attempt in {BackoffSeconds:F1} s")]
    public static partial void BatchFailed(ILogger logger, Exception exception, double backoffSeconds);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Error, Message = "Contact {ContactId} failed {Deliveries} times; dead-lettered")]
    public static partial void Poisoned(ILogger logger, string contactId, long deliveries);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "{Count} queued contacts handed back to the queue after a failure that was not theirs; their delivery is not counted")]
    public static partial void Released(ILogger logger, int count);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Warning, Message = "{Count} queued contacts could not be handed back; they are reclaimed after the claim idle time")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3308, Level = LogLevel.Warning, Message = "Could not renew the claim on {Count} queued contacts being processed; another replica may reclaim them")]
    public static partial void ExtendFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Error, Message = "HubSpot could not read queued contact {ContactId} ({Category}): {HubSpotMessage}; dead-lettered")]
    public static partial void ReadFailed(ILogger logger, string contactId, string? category, string hubSpotMessage);

    [LoggerMessage(EventId = 3553, Level = LogLevel.Warning, Message = "Processing {Count} queued contacts failed for a reason that is theirs; splitting them to find the one at fault")]
    public static partial void BatchSplit(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3554, Level = LogLevel.Error, Message = "Processing queued contact {ContactId} failed on its own; dead-lettered (PROCESSING_FAILED)")]
    public static partial void ContactFailed(ILogger logger, Exception exception, string contactId);

    [LoggerMessage(EventId = 3555, Level = LogLevel.Warning, Message = "Processing queued contact {ContactId} failed on its own (delivery {Delivery} of {MaxDeliveries}); the others of its batch went on, it is handed out again")]
    public static partial void ContactFailedWillRetry(ILogger logger, Exception exception, string contactId, long delivery, int maxDeliveries);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Information, Message = "{Count} queued contacts are gone from HubSpot (deleted or merged away); dropped")]
    public static partial void ContactsGone(ILogger logger, int count);
}
