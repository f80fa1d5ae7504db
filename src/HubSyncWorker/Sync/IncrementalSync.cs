using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>What one incremental sync did.</summary>
internal sealed record IncrementalSyncResult(long Queued, int SearchCalls, DateTimeOffset From, DateTimeOffset? Checkpoint);

/// <summary>
/// Finds contacts modified since the last run with the search API and queues them for evaluation.
/// </summary>
/// <remarks>
/// Paging is pure keyset on <c>(lastmodifieddate, hs_object_id)</c>, never HubSpot's <c>after</c> offset: the result set changes
/// while it is read (the worker's own write-backs, users, workflows), and a contact modified after it was returned moves to the
/// end, so an offset would shift every later contact one place and skip the one at each page boundary, for good once the
/// checkpoint has passed it. So every page is a new query from the first result: <c>lastmodifieddate ≥ t</c> sorted ascending,
/// where t is the latest timestamp seen, skipping the contacts already seen at t. A page whose contacts all share t (more than a
/// page at one millisecond, as an import makes) is followed by the contacts with exactly t by ascending id
/// (<c>lastmodifieddate = t</c> and <c>hs_object_id &gt; the last id</c>, again a new query per page), then by
/// <c>lastmodifieddate &gt; t</c>. No query goes past its first page, so HubSpot's cap of 10,000 results per query never applies.
/// Each run starts <see cref="SyncOptions.IncrementalOverlap"/> before the checkpoint because search lags writes; the work queue
/// coalesces the repeats, and the diff makes re-evaluating an unchanged contact write nothing.
/// </remarks>
internal sealed class IncrementalSync(
    IHubSpotCrmClient client,
    IWorkQueue queue,
    ICheckpointStore checkpoints,
    IOptionsMonitor<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<IncrementalSync> logger)
{
    internal const string CheckpointName = "incremental:since";
    internal const int PageSize = 200;
    private const string ModifiedProperty = "lastmodifieddate";
    private const string IdProperty = "hs_object_id";

    /// <summary>Runs one incremental sync whose checkpoint no lock guards (a one-off run).</summary>
    public Task<IncrementalSyncResult> RunAsync(CancellationToken cancellationToken) => RunAsync(holder: null, cancellationToken);

    /// <summary>
    /// Runs one incremental sync; with <paramref name="holder"/>, each checkpoint is written only while that lease still holds the
    /// lock (a run paused past its lease must not move back the checkpoint of the one that took over), else <see cref="LockLostException"/>.
    /// </summary>
    public async Task<IncrementalSyncResult> RunAsync(ILockLease? holder, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = timeProvider.GetUtcNow();
        var stored = await checkpoints.GetAsync(CheckpointName, cancellationToken);
        var checkpoint = long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : (now - settings.IncrementalInitialLookback).ToUnixTimeMilliseconds();
        var from = checkpoint - (long)settings.IncrementalOverlap.TotalMilliseconds;
        var state = new RunState(checkpoint, holder);

        var cursor = from;
        var inclusive = true;
        var seenAtCursor = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await SearchAsync(
                [Filter(ModifiedProperty, inclusive ? SearchOperator.Gte : SearchOperator.Gt, cursor)], ModifiedProperty, (seenAtCursor, cursor), state, cancellationToken);
            if (page.NextAfter is null)
            {
                break;
            }

            // The latest timestamp of the page, and the contacts that have it (the next query returns them again).
            var latest = LastModified(page.Results);
            if (latest is null)
            {
                IncrementalLog.NoTimestamps(logger, page.Results.Count);
                break;
            }

            if (latest == cursor && inclusive)
            {
                // A whole page at one timestamp: read every contact with it by id, then go on after it.
                await ScanTieAsync(cursor, state, cancellationToken);
                inclusive = false;
                seenAtCursor.Clear();
                continue;
            }

            cursor = latest.Value;
            inclusive = true;
            seenAtCursor.Clear();
            foreach (var contact in page.Results)
            {
                if (ParseTimestamp(contact.GetProperty(ModifiedProperty)) == cursor)
                {
                    seenAtCursor.Add(contact.Id);
                }
            }
        }

        var result = new IncrementalSyncResult(state.Queued, state.SearchCalls, DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(state.Highest));
        IncrementalLog.Completed(logger, result.Queued, result.SearchCalls, result.From, result.Checkpoint);
        return result;
    }

    /// <summary>Reads every contact whose <c>lastmodifieddate</c> is exactly <paramref name="timestamp"/>, by ascending id, one new query per page.</summary>
    private async Task ScanTieAsync(long timestamp, RunState state, CancellationToken cancellationToken)
    {
        var afterId = 0L;
        while (true)
        {
            var page = await SearchAsync(
                [Filter(ModifiedProperty, SearchOperator.Eq, timestamp), Filter(IdProperty, SearchOperator.Gt, afterId)], IdProperty, null, state, cancellationToken);
            var highestId = afterId;
            foreach (var contact in page.Results)
            {
                if (long.TryParse(contact.Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id > highestId)
                {
                    highestId = id;
                }
            }

            if (page.NextAfter is null)
            {
                return;
            }

            if (highestId == afterId)
            {
                // No numeric id to go on from: stop rather than ask for the same page forever (the next run reads from the checkpoint).
                IncrementalLog.NoNumericIds(logger, page.Results.Count, timestamp);
                return;
            }

            afterId = highestId;
        }
    }

    /// <summary>
    /// One page (the first) of a query sorted ascending by <paramref name="sortBy"/>; queues its contacts, except those the previous
    /// page returned with the same timestamp (<paramref name="skip"/>: a contact modified since comes back with a later one, and is queued).
    /// </summary>
    private async Task<ContactSearchPage> SearchAsync(
        SearchFilter[] filters, string sortBy, (HashSet<string> Ids, long At)? skip, RunState state, CancellationToken cancellationToken)
    {
        var request = new ContactSearchRequest
        {
            FilterGroups = [new SearchFilterGroup(filters)],
            Sorts = [new SearchSort(sortBy, SortDirection.Ascending)],
            Properties = [ModifiedProperty, IdProperty],
            Limit = PageSize,
        };
        var page = await client.SearchContactsAsync(request, cancellationToken);
        state.SearchCalls++;
        var now = timeProvider.GetUtcNow();
        var items = page.Results.Where(c => skip is not { } seen || !seen.Ids.Contains(c.Id) || ParseTimestamp(c.GetProperty(ModifiedProperty)) != seen.At).Select(c => new WorkItem(c.Id, WorkReason.IncrementalSync, now)).ToList();
        if (items.Count > 0)
        {
            await queue.EnqueueAsync(items, cancellationToken);
            state.Queued += items.Count;
        }

        if (LastModified(page.Results) is { } last && last > state.Highest)
        {
            // Only once the page is queued: every contact modified before this instant has been seen (ascending order).
            state.Highest = last;
            await SaveCheckpointAsync(last.ToString(CultureInfo.InvariantCulture), state.Holder, cancellationToken);
        }

        return page;
    }

    private async Task SaveCheckpointAsync(string value, ILockLease? holder, CancellationToken cancellationToken)
    {
        if (holder is null)
        {
            await checkpoints.SetAsync(CheckpointName, value, cancellationToken);
        }
        else if (!await checkpoints.TrySetAsync(CheckpointName, value, holder, cancellationToken))
        {
            throw new LockLostException($"The incremental-sync checkpoint was refused: the lock is no longer held with fencing token {holder.FencingToken}.");
        }
    }

    private static SearchFilter Filter(string property, SearchOperator op, long value) =>
        new() { PropertyName = property, Operator = op, Value = value.ToString(CultureInfo.InvariantCulture) };

    private static long? LastModified(IReadOnlyList<HubSpotContact> results)
    {
        long? max = null;
        foreach (var contact in results)
        {
            if (ParseTimestamp(contact.GetProperty(ModifiedProperty)) is { } value && (max is null || value > max))
            {
                max = value;
            }
        }

        return max;
    }

    /// <summary>HubSpot returns datetimes as ISO 8601 in records and takes epoch milliseconds in filters; accept both.</summary>
    internal static long? ParseTimestamp(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epochMs))
        {
            return epochMs;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUnixTimeMilliseconds()
            : null;
    }

    private sealed class RunState(long highest, ILockLease? holder)
    {
        public long Highest { get; set; } = highest;

        /// <summary>The lease the checkpoint is fenced on, if any.</summary>
        public ILockLease? Holder => holder;

        public long Queued { get; set; }

        public int SearchCalls { get; set; }
    }
}

internal static partial class IncrementalLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Incremental sync queued {Queued} contacts modified since {From:O} in {SearchCalls} searches; checkpoint {Checkpoint:O}")]
    public static partial void Completed(ILogger logger, long queued, int searchCalls, DateTimeOffset from, DateTimeOffset? checkpoint);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Incremental sync stopped: a search page of {Count} contacts carried no readable lastmodifieddate; the next run starts again from the checkpoint")]
    public static partial void NoTimestamps(ILogger logger, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Incremental sync stopped reading the {Count} contacts modified at {Timestamp}: a search page carried no numeric id to page on; the next run starts again from the checkpoint")]
    public static partial void NoNumericIds(ILogger logger, int count, long timestamp);
}
