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
/// A search query stops at 10,000 results, so paging is keyset-based on <c>(lastmodifieddate, hs_object_id)</c>: page through
/// <c>lastmodifieddate ≥ from</c> sorted ascending until the cap is near; then read every contact sharing the last timestamp seen
/// by <c>hs_object_id</c> (sorted by id, restarting the query past the last id whenever the cap is near again) so that even more
/// than 10,000 contacts with one timestamp are all found; then go on with <c>lastmodifieddate &gt; that timestamp</c>.
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
    internal const int ResultCap = 10_000;
    private const string ModifiedProperty = "lastmodifieddate";
    private const string IdProperty = "hs_object_id";

    public async Task<IncrementalSyncResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = timeProvider.GetUtcNow();
        var stored = await checkpoints.GetAsync(CheckpointName, cancellationToken);
        var checkpoint = long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : (now - settings.IncrementalInitialLookback).ToUnixTimeMilliseconds();
        var from = checkpoint - (long)settings.IncrementalOverlap.TotalMilliseconds;
        var state = new RunState(checkpoint);

        var inclusive = true;
        var cursor = from;
        while (true)
        {
            var capped = await ScanFromAsync(cursor, inclusive, state, cancellationToken);
            if (capped is not { } tieTimestamp)
            {
                break;
            }

            await ScanTieAsync(tieTimestamp, state, cancellationToken);
            cursor = tieTimestamp;
            inclusive = false;
        }

        var result = new IncrementalSyncResult(state.Queued, state.SearchCalls, DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(state.Highest));
        IncrementalLog.Completed(logger, result.Queued, result.SearchCalls, result.From, result.Checkpoint);
        return result;
    }

    /// <summary>Pages through <c>lastmodifieddate ≥ (or &gt;) from</c>; returns the last timestamp seen when the 10,000 cap stopped it.</summary>
    private async Task<long?> ScanFromAsync(long from, bool inclusive, RunState state, CancellationToken cancellationToken)
    {
        string? after = null;
        long? last = null;
        while (true)
        {
            var request = new ContactSearchRequest
            {
                FilterGroups = [new SearchFilterGroup([Filter(ModifiedProperty, inclusive ? SearchOperator.Gte : SearchOperator.Gt, from)])],
                Sorts = [new SearchSort(ModifiedProperty, SortDirection.Ascending)],
                Properties = [ModifiedProperty, IdProperty],
                Limit = PageSize,
                After = after,
            };
            var page = await SearchAsync(request, state, cancellationToken);
            last = LastModified(page.Results) ?? last;
            if (page.NextAfter is null)
            {
                return null;
            }

            if (!WithinCap(page.NextAfter))
            {
                return last;
            }

            after = page.NextAfter;
        }
    }

    /// <summary>Reads every contact whose <c>lastmodifieddate</c> is exactly <paramref name="timestamp"/>, by ascending id.</summary>
    private async Task ScanTieAsync(long timestamp, RunState state, CancellationToken cancellationToken)
    {
        var afterId = 0L;
        var highestId = 0L;
        while (true)
        {
            // The filter stays fixed while one query is paged; only a restart moves it past the highest id seen.
            afterId = highestId;
            string? after = null;
            var restart = false;
            while (true)
            {
                var request = new ContactSearchRequest
                {
                    FilterGroups =
                    [
                        new SearchFilterGroup([Filter(ModifiedProperty, SearchOperator.Eq, timestamp), Filter(IdProperty, SearchOperator.Gt, afterId)]),
                    ],
                    Sorts = [new SearchSort(IdProperty, SortDirection.Ascending)],
                    Properties = [ModifiedProperty, IdProperty],
                    Limit = PageSize,
                    After = after,
                };
                var page = await SearchAsync(request, state, cancellationToken);
                foreach (var contact in page.Results)
                {
                    if (long.TryParse(contact.Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id > highestId)
                    {
                        highestId = id;
                    }
                }

                if (page.NextAfter is null)
                {
                    break;
                }

                if (!WithinCap(page.NextAfter))
                {
                    restart = true;
                    break;
                }

                after = page.NextAfter;
            }

            if (!restart)
            {
                return;
            }
        }
    }

    private async Task<ContactSearchPage> SearchAsync(ContactSearchRequest request, RunState state, CancellationToken cancellationToken)
    {
        var page = await client.SearchContactsAsync(request, cancellationToken);
        state.SearchCalls++;
        if (page.Results.Count > 0)
        {
            var now = timeProvider.GetUtcNow();
            await queue.EnqueueAsync([.. page.Results.Select(c => new WorkItem(c.Id, WorkReason.IncrementalSync, now))], cancellationToken);
            state.Queued += page.Results.Count;
            if (LastModified(page.Results) is { } last && last > state.Highest)
            {
                state.Highest = last;
                await checkpoints.SetAsync(CheckpointName, last.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }

        return page;
    }

    private static bool WithinCap(string nextAfter) =>
        int.TryParse(nextAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) && offset + PageSize <= ResultCap;

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

    private sealed class RunState(long highest)
    {
        public long Highest { get; set; } = highest;

        public long Queued { get; set; }

        public int SearchCalls { get; set; }
    }
}

internal static partial class IncrementalLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Incremental sync queued {Queued} contacts modified since {From:O} in {SearchCalls} searches; checkpoint {Checkpoint:O}")]
    public static partial void Completed(ILogger logger, long queued, int searchCalls, DateTimeOffset from, DateTimeOffset? checkpoint);
}
