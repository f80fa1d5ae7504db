using System.Globalization;
using System.Text.Json;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Serialization;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>What one incremental sync did: contacts evaluated from the search results, or queued when they could not be.</summary>
internal sealed record IncrementalSyncResult(long Queued, int SearchCalls, DateTimeOffset From, DateTimeOffset? Checkpoint, long Evaluated = 0);

/// <summary>
/// Finds contacts modified since the last run with the search API and evaluates them from the search results, writing what
/// changed; the echoes of the worker's own writes (most of what a run finds) then cost no batch read, the diff finding nothing to
/// write. Conversion histories are read only where <see cref="ContactSnapshotReader.NeedsHistory"/> says so.
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
/// and the diff makes re-evaluating an unchanged contact write nothing.
/// <para>
/// A search result lags HubSpot's writes by a few seconds, so a contact may be evaluated on values a moment old: a change made in
/// between has its own webhook, and is in the next run's window anyway, and either evaluates the contact again on its new values.
/// When the search cannot carry every property the policy reads (HubSpot takes a search body of at most 3,000 characters), or the
/// output properties are not ensured yet, the contacts are queued instead, for a batch read by the work-queue consumer.
/// </para>
/// </remarks>
internal sealed class IncrementalSync(
    IHubSpotCrmClient client,
    IWorkQueue queue,
    ContactSnapshotReader reader,
    ContactBatchProcessor processor,
    LiveSyncReport liveReport,
    BootstrapGate gate,
    ICheckpointStore checkpoints,
    IOptionsMonitor<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<IncrementalSync> logger)
{
    internal const string CheckpointName = "incremental:since";
    internal const int PageSize = 200;

    /// <summary>HubSpot's longest search request body, in characters.</summary>
    internal const int MaxSearchBodyChars = 3_000;

    private const string ModifiedProperty = "lastmodifieddate";
    private const string IdProperty = "hs_object_id";
    private readonly Lazy<IReadOnlyList<string>?> _evaluatedProperties = new(() => EvaluatedProperties(reader.Properties, logger));

    /// <summary>Runs one incremental sync whose checkpoint no lock guards (a one-off run).</summary>
    public Task<IncrementalSyncResult> RunAsync(CancellationToken cancellationToken) => RunAsync(holder: null, cancellationToken);

    /// <summary>
    /// Runs one incremental sync; with <paramref name="holder"/>, each checkpoint is written only while that lease still holds the
    /// lock (a run paused past its lease must not move back the checkpoint of the one that took over), else <see cref="LockLostException"/>.
    /// </summary>
    public Task<IncrementalSyncResult> RunAsync(ILockLease? holder, CancellationToken cancellationToken) => RunAsync(holder, beforeWrite: null, cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync(ILockLease?, CancellationToken)"/>, with <paramref name="beforeWrite"/> run before each write to
    /// HubSpot: the lease keeper's fencing check, so a run that lost its lock writes nothing more.
    /// </summary>
    public async Task<IncrementalSyncResult> RunAsync(ILockLease? holder, Func<CancellationToken, Task>? beforeWrite, CancellationToken cancellationToken)
    {
        using var calls = HubSpotCallTally.Begin();
        var settings = options.CurrentValue;
        var now = timeProvider.GetUtcNow();
        var stored = await checkpoints.GetAsync(CheckpointName, cancellationToken);
        var checkpoint = long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : (now - settings.IncrementalInitialLookback).ToUnixTimeMilliseconds();
        var from = checkpoint - (long)settings.IncrementalOverlap.TotalMilliseconds;

        // Writes need the output properties: until the bootstrap has succeeded, found contacts wait in the queue as before.
        var evaluate = gate.IsOpen ? _evaluatedProperties.Value : null;
        var state = new RunState(checkpoint, holder, evaluate, new ProcessingContext("incremental", settings.DryRun, liveReport.Report, beforeWrite));

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
                // A whole page at one timestamp: read every contact with it by id, then go on after it. Those already evaluated
                // at it are skipped: written since, the search may still show them as they were, and they would be written twice.
                seenAtCursor.UnionWith(page.Results.Select(c => c.Id));
                await ScanTieAsync(cursor, seenAtCursor, state, cancellationToken);
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

        var result = new IncrementalSyncResult(state.Queued, state.SearchCalls, DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(state.Highest), state.Evaluated);
        IncrementalLog.Completed(logger, result.Evaluated, result.Queued, result.SearchCalls, result.From, result.Checkpoint, calls.Counts().Compact());
        return result;
    }

    /// <summary>
    /// What each search asks for so its results can be evaluated as they are: every property the policy reads, with the two the
    /// paging needs; null (queue the contacts instead) when that would make a search body longer than HubSpot takes.
    /// </summary>
    internal static IReadOnlyList<string>? EvaluatedProperties(IReadOnlyList<string> policyProperties, ILogger logger)
    {
        IReadOnlyList<string> properties = [.. new[] { ModifiedProperty, IdProperty }.Concat(policyProperties).Distinct(StringComparer.Ordinal)];

        // The longest body a run sends: the id scan of a tie, with the largest values either filter can hold.
        var longest = new ContactSearchRequest
        {
            FilterGroups = [new SearchFilterGroup([Filter(ModifiedProperty, SearchOperator.Eq, long.MaxValue), Filter(IdProperty, SearchOperator.Gt, long.MaxValue)])],
            Sorts = [new SearchSort(IdProperty, SortDirection.Ascending)],
            Properties = properties,
            Limit = PageSize,
        };
        var length = JsonSerializer.Serialize(longest, HubSpotJson.Options).Length;
        if (length <= MaxSearchBodyChars)
        {
            return properties;
        }

        IncrementalLog.SearchTooLongToEvaluate(logger, properties.Count, length, MaxSearchBodyChars);
        return null;
    }

    /// <summary>
    /// Reads every contact whose <c>lastmodifieddate</c> is exactly <paramref name="timestamp"/>, by ascending id, one new query per
    /// page, except <paramref name="seen"/> (already evaluated at that timestamp).
    /// </summary>
    private async Task ScanTieAsync(long timestamp, HashSet<string> seen, RunState state, CancellationToken cancellationToken)
    {
        var afterId = 0L;
        while (true)
        {
            var page = await SearchAsync(
                [Filter(ModifiedProperty, SearchOperator.Eq, timestamp), Filter(IdProperty, SearchOperator.Gt, afterId)], IdProperty, (seen, timestamp), state, cancellationToken);
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
    /// One page (the first) of a query sorted ascending by <paramref name="sortBy"/>; evaluates (or queues) its contacts, except
    /// those the previous page returned with the same timestamp (<paramref name="skip"/>: a contact modified since comes back with a
    /// later one, and is evaluated again).
    /// </summary>
    private async Task<ContactSearchPage> SearchAsync(
        SearchFilter[] filters, string sortBy, (HashSet<string> Ids, long At)? skip, RunState state, CancellationToken cancellationToken)
    {
        var request = new ContactSearchRequest
        {
            FilterGroups = [new SearchFilterGroup(filters)],
            Sorts = [new SearchSort(sortBy, SortDirection.Ascending)],
            Properties = state.Evaluate ?? [ModifiedProperty, IdProperty],
            Limit = PageSize,
        };
        var page = await client.SearchContactsAsync(request, cancellationToken);
        state.SearchCalls++;
        var found = page.Results.Where(c => skip is not { } seen || !seen.Ids.Contains(c.Id) || ParseTimestamp(c.GetProperty(ModifiedProperty)) != seen.At).ToList();
        if (found.Count > 0 && state.Evaluate is not null)
        {
            await processor.ProcessAsync(found, historyIncluded: false, state.Context, cancellationToken);
            state.Evaluated += found.Count;
        }
        else if (found.Count > 0)
        {
            var now = timeProvider.GetUtcNow();
            await queue.EnqueueAsync([.. found.Select(c => new WorkItem(c.Id, WorkReason.IncrementalSync, now))], cancellationToken);
            state.Queued += found.Count;
        }

        if (LastModified(page.Results) is { } last && last > state.Highest)
        {
            // Only once the page is evaluated and written (or queued): every contact modified before this instant has been seen
            // (ascending order).
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

    private sealed class RunState(long highest, ILockLease? holder, IReadOnlyList<string>? evaluate, ProcessingContext context)
    {
        public long Highest { get; set; } = highest;

        /// <summary>The lease the checkpoint is fenced on, if any.</summary>
        public ILockLease? Holder => holder;

        /// <summary>The properties each search asks for so its results are evaluated as they are; null to queue them.</summary>
        public IReadOnlyList<string>? Evaluate { get; } = evaluate;

        public ProcessingContext Context { get; } = context;

        public long Evaluated { get; set; }

        public long Queued { get; set; }

        public int SearchCalls { get; set; }
    }
}

internal static partial class IncrementalLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Incremental sync evaluated {Evaluated} and queued {Queued} contacts modified since {From:O} in {SearchCalls} searches; checkpoint {Checkpoint:O}; HubSpot calls: {Calls}")]
    public static partial void Completed(ILogger logger, long evaluated, long queued, int searchCalls, DateTimeOffset from, DateTimeOffset? checkpoint, string calls);

    [LoggerMessage(EventId = 3450, Level = LogLevel.Warning, Message = "The policy reads {Properties} properties: a search asking for all of them would be {Length} characters long, more than HubSpot's {Limit}; the incremental sync queues the contacts it finds for a batch read instead of evaluating the search results")]
    public static partial void SearchTooLongToEvaluate(ILogger logger, int properties, int length, int limit);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Incremental sync stopped: a search page of {Count} contacts carried no readable lastmodifieddate; the next run starts again from the checkpoint")]
    public static partial void NoTimestamps(ILogger logger, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Incremental sync stopped reading the {Count} contacts modified at {Timestamp}: a search page carried no numeric id to page on; the next run starts again from the checkpoint")]
    public static partial void NoNumericIds(ILogger logger, int count, long timestamp);
}
