using System.Globalization;
using HubSyncWorker.HubSpot.Contacts;

namespace HubSyncWorker.Diagnostics;

/// <summary>What a HubSpot call is, by endpoint: the kinds the summaries and the <c>hubsync_resync_last_calls</c> gauge count.</summary>
internal enum HubSpotCallKind
{
    /// <summary><c>GET /crm/objects/contacts</c> (the resync's pages).</summary>
    List,

    /// <summary><c>POST .../contacts/search</c> (the incremental sync, the resync's count): its own per-second budget.</summary>
    Search,

    /// <summary><c>POST .../contacts/batch/read</c> of current values (the queue consumer, a resumed resync).</summary>
    BatchRead,

    /// <summary><c>POST .../contacts/batch/read</c> with <c>propertiesWithHistory</c> (conversion histories, 50 a call).</summary>
    HistoryRead,

    /// <summary><c>POST .../contacts/batch/update</c> (write-backs).</summary>
    BatchUpdate,

    /// <summary><c>/crm/properties/contacts...</c>: the output-property bootstrap and the portal's options (read, create, update, groups).</summary>
    Properties,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>
/// The HubSpot calls one operation (a resync, an incremental sync, a queue batch) caused: every attempt by kind, the retries among
/// them and the 429 answers, and the budget-limited ideal for those calls against the wall time it took.
/// </summary>
/// <param name="List">List calls.</param>
/// <param name="Search">Search calls.</param>
/// <param name="BatchRead">Batch reads of current values.</param>
/// <param name="HistoryRead">Batch reads with <c>propertiesWithHistory</c>.</param>
/// <param name="BatchUpdate">Batch updates.</param>
/// <param name="Properties">Property and property-group calls.</param>
/// <param name="Other">Other calls.</param>
/// <param name="Retries">Attempts that were retries of an earlier attempt of the same call (counted in their kind too).</param>
/// <param name="RateLimited">Attempts HubSpot answered 429 (counted in their kind too).</param>
/// <param name="Ideal">The least time HubSpot's budget allows for these calls (<see cref="HubSpotBudget.Ideal"/>).</param>
/// <param name="Wall">The time the operation took.</param>
internal sealed record HubSpotCallReport(
    long List, long Search, long BatchRead, long HistoryRead, long BatchUpdate, long Properties, long Other,
    long Retries, long RateLimited, TimeSpan Ideal, TimeSpan Wall)
{
    public static readonly HubSpotCallReport None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Every attempt, retries and 429s included.</summary>
    public long Total => List + Search + BatchRead + HistoryRead + BatchUpdate + Properties + Other;

    /// <summary>Attempts of <paramref name="kind"/>.</summary>
    public long Of(HubSpotCallKind kind) => kind switch
    {
        HubSpotCallKind.List => List,
        HubSpotCallKind.Search => Search,
        HubSpotCallKind.BatchRead => BatchRead,
        HubSpotCallKind.HistoryRead => HistoryRead,
        HubSpotCallKind.BatchUpdate => BatchUpdate,
        HubSpotCallKind.Properties => Properties,
        _ => Other,
    };

    /// <summary><c>list 6, search 1, batch read 0, history read 4, batch update 6, properties 2, other 0 (19 in all: 0 retries, 0 429s)</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"list {List}, search {Search}, batch read {BatchRead}, history read {HistoryRead}, batch update {BatchUpdate}, properties {Properties}, other {Other} ({Total} in all: {Retries} retries, {RateLimited} 429s)");

    /// <summary>Only the kinds called, for one-line logs: <c>search 3, history read 1 (0 retries, 0 429s)</c>, or <c>none</c>.</summary>
    public string Compact()
    {
        var called = Enum.GetValues<HubSpotCallKind>().Where(kind => Of(kind) > 0).Select(kind => string.Create(CultureInfo.InvariantCulture, $"{Label(kind)} {Of(kind)}")).ToList();
        return called.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", called)} ({Retries} retries, {RateLimited} 429s)");
    }

    private static string Label(HubSpotCallKind kind) => kind switch
    {
        HubSpotCallKind.BatchRead => "batch read",
        HubSpotCallKind.HistoryRead => "history read",
        HubSpotCallKind.BatchUpdate => "batch update",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary><c>wall 33.5 s, budget-limited ideal 30.0 s (90 %)</c>: how close to HubSpot's physical limit the operation ran.</summary>
    public string DescribeTime() => Ideal > TimeSpan.Zero
        ? string.Create(CultureInfo.InvariantCulture, $"wall {Wall.TotalSeconds:F1} s, budget-limited ideal {Ideal.TotalSeconds:F1} s ({Ideal / Wall:P0} of the budget used)")
        : string.Create(CultureInfo.InvariantCulture, $"wall {Wall.TotalSeconds:F1} s, budget-limited ideal 0 s (too few calls for the budget to limit)");
}

/// <summary>
/// Counts the HubSpot calls of one operation and of everything it starts: a scope on the async flow (<see cref="AsyncLocal{T}"/>),
/// so the tasks a resync starts (its background writes) count in its tally and the queue consumer's calls, made at the same time on
/// another flow, do not. Scopes nest: a call counts in its scope and every enclosing one (the <c>resync</c> verb's tally holds the
/// property bootstrap and the resync's own). Thread-safe.
/// </summary>
internal sealed class HubSpotCallTally : IDisposable
{
    private static readonly AsyncLocal<HubSpotCallTally?> Ambient = new();
    private static readonly int Kinds = Enum.GetValues<HubSpotCallKind>().Length;

    private readonly HubSpotCallTally? _parent;
    private readonly long[] _attempts = new long[Kinds];
    private readonly long[] _rateLimited = new long[Kinds];
    private long _retries;

    private HubSpotCallTally(HubSpotCallTally? parent) => _parent = parent;

    /// <summary>Starts counting the calls made from here on this async flow (and the tasks it starts) until disposed.</summary>
    public static HubSpotCallTally Begin()
    {
        var tally = new HubSpotCallTally(Ambient.Value);
        Ambient.Value = tally;
        return tally;
    }

    /// <summary>Counts one attempt in the current scope and every enclosing one; nothing when no operation counts.</summary>
    public static void Record(HubSpotCallKind kind, bool retry, bool rateLimited)
    {
        for (var tally = Ambient.Value; tally is not null; tally = tally._parent)
        {
            Interlocked.Increment(ref tally._attempts[(int)kind]);
            if (retry)
            {
                Interlocked.Increment(ref tally._retries);
            }

            if (rateLimited)
            {
                Interlocked.Increment(ref tally._rateLimited[(int)kind]);
            }
        }
    }

    /// <summary>The calls counted so far, with the budget-limited ideal for them at <paramref name="budget"/> and <paramref name="wall"/>.</summary>
    public HubSpotCallReport Report(HubSpotBudget budget, TimeSpan wall)
    {
        var attempts = new long[Kinds];
        var limited = new long[Kinds];
        for (var i = 0; i < Kinds; i++)
        {
            attempts[i] = Interlocked.Read(ref _attempts[i]);
            limited[i] = Interlocked.Read(ref _rateLimited[i]);
        }

        long Answered(HubSpotCallKind kind) => attempts[(int)kind] - limited[(int)kind];
        var search = Answered(HubSpotCallKind.Search);
        var standard = Enum.GetValues<HubSpotCallKind>().Where(k => k != HubSpotCallKind.Search).Sum(Answered);
        return new HubSpotCallReport(
            attempts[(int)HubSpotCallKind.List],
            attempts[(int)HubSpotCallKind.Search],
            attempts[(int)HubSpotCallKind.BatchRead],
            attempts[(int)HubSpotCallKind.HistoryRead],
            attempts[(int)HubSpotCallKind.BatchUpdate],
            attempts[(int)HubSpotCallKind.Properties],
            attempts[(int)HubSpotCallKind.Other],
            Interlocked.Read(ref _retries),
            limited.Sum(),
            budget.Ideal(standard, search),
            wall);
    }

    /// <summary>The calls counted so far, without times (for operations that report no ideal).</summary>
    public HubSpotCallReport Counts() => Report(new HubSpotBudget(int.MaxValue, int.MaxValue), TimeSpan.Zero);

    /// <summary>Ends the scope: calls made afterwards on this flow count in the enclosing one again.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(Ambient.Value, this))
        {
            Ambient.Value = _parent;
        }
    }

    /// <summary>The kind of <paramref name="request"/>, from Refit's route template (or its path) and the client's history mark.</summary>
    public static HubSpotCallKind KindOf(HttpRequestMessage request, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HubSpotRequestMarks.IsHistoryRead(request))
        {
            return HubSpotCallKind.HistoryRead;
        }

        var path = endpoint.TrimEnd('/');
        return path switch
        {
            _ when path.Contains("/properties/", StringComparison.Ordinal) => HubSpotCallKind.Properties,
            _ when path.EndsWith("/contacts/search", StringComparison.Ordinal) => HubSpotCallKind.Search,
            _ when path.EndsWith("/contacts/batch/read", StringComparison.Ordinal) => HubSpotCallKind.BatchRead,
            _ when path.EndsWith("/contacts/batch/update", StringComparison.Ordinal) => HubSpotCallKind.BatchUpdate,
            _ when path.EndsWith("/contacts", StringComparison.Ordinal) && request.Method == HttpMethod.Get => HubSpotCallKind.List,
            _ => HubSpotCallKind.Other,
        };
    }
}

/// <summary>
/// The configured HubSpot budget (<c>HubSpot:RequestsPerTenSeconds</c>, <c>HubSpot:SearchRequestsPerSecond</c>) and the least time it
/// allows for a number of calls: the one rule the summaries, the gauges and the load tests use.
/// </summary>
internal sealed record HubSpotBudget(int RequestsPerTenSeconds, int SearchRequestsPerSecond)
{
    private static readonly TimeSpan StandardWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SearchWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The budget-limited ideal: standard calls against the 10-second budget and searches against their own per-second one, at the
    /// same time (the longer of the two). A rolling window lets B requests through at once, then B more each time the oldest leave:
    /// request k (from 0) goes at ⌊k/B⌋ windows at the earliest, so C requests need ⌊(C−1)/B⌋ windows (none when C ≤ B).
    /// </summary>
    public TimeSpan Ideal(long standardCalls, long searchCalls)
    {
        var standard = Windows(standardCalls, RequestsPerTenSeconds) * StandardWindow;
        var search = Windows(searchCalls, SearchRequestsPerSecond) * SearchWindow;
        return standard > search ? standard : search;
    }

    private static long Windows(long calls, int perWindow) => calls <= perWindow ? 0 : (calls - 1) / perWindow;

    /// <summary>The budget of <paramref name="options"/>.</summary>
    public static HubSpotBudget Of(HubSyncWorker.HubSpot.HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HubSpotBudget(options.RequestsPerTenSeconds, options.SearchRequestsPerSecond);
    }
}
