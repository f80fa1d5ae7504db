using System.Globalization;
using HubSyncWorker.Diagnostics;

namespace HubSyncWorker.Insights;

/// <summary>What an insights run is asked to read.</summary>
/// <param name="Sample">Analyse at most this many contacts (the portal's first ones in list order), or the whole portal when null.</param>
/// <param name="MaxCalls">Make at most this many HubSpot calls (the sample shrinks to fit), or no bound when null.</param>
/// <param name="HistoryForEveryQualified">Read the inputs' history of every qualified contact, recorded scores or not: a candidate
/// policy has no recorded scores, so comparing it needs the values each contact had at its cut-off.</param>
internal sealed record InsightsAsk(int? Sample = null, int? MaxCalls = null, bool HistoryForEveryQualified = false);

/// <summary>
/// The HubSpot calls an insights run will make, told before it starts: the counting searches (made), one list call per 100
/// contacts, and one history read per 50 contacts qualified in the past without recorded scores (counted by a search, scaled
/// to the sample), with the least time the configured budget allows for them.
/// </summary>
/// <param name="PortalContacts">Contacts in the portal (the search total), or null when the count failed.</param>
/// <param name="ToAnalyse">Contacts the run expects to list (the count, the sample or what fits the call bound), or null when unknown.</param>
/// <param name="Searches">The counting searches (already made).</param>
/// <param name="Lists">List calls to come.</param>
/// <param name="HistoryContacts">Contacts expected to need a history read, or null when it could not be counted.</param>
/// <param name="Budget">The configured budget.</param>
internal sealed record InsightsEstimate(long? PortalContacts, int? ToAnalyse, int Searches, int Lists, int? HistoryContacts, HubSpotBudget Budget)
{
    /// <summary>
    /// The most contacts the run lists: the sample or what fits the call bound; null for the whole portal, however many the count
    /// said (search is eventually consistent: contacts added moments ago may be missing from its total, never from the list).
    /// </summary>
    public int? Limit { get; init; }

    /// <summary>HubSpot's most inputs of a history read.</summary>
    public const int HistoryBatch = Sync.ContactSnapshotReader.HistoryBatchLimit;

    /// <summary>The most contacts one list call returns.</summary>
    public const int ListPage = 100;

    /// <summary>History reads to come (one per 50 contacts that need one).</summary>
    public int? HistoryReads => HistoryContacts is { } contacts ? Ceiling(contacts, HistoryBatch) : null;

    /// <summary>Every call of the run, the searches included (history reads as estimated).</summary>
    public int Total => Searches + Lists + (HistoryReads ?? 0);

    /// <summary>The least time the budget allows for <see cref="Total"/> calls.</summary>
    public TimeSpan BudgetTime => Budget.Ideal(Lists + (HistoryReads ?? 0), Searches);

    /// <summary><c>2 searches, 20 list calls, 7 history reads for about 312 contacts qualified without recorded scores: 29 calls, at least 0.0 s at 100 per 10 s</c>.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var history = HistoryContacts is { } contacts
            ? string.Create(inv, $"{HistoryReads} history reads for about {contacts:N0} contacts to read as they were when qualified")
            : "history reads unknown until the contacts are listed";
        return string.Create(inv, $"{Searches} searches, {Lists} list calls, {history}: {Total} calls, at least {BudgetTime.TotalSeconds:F1} s at {Budget.RequestsPerTenSeconds} per 10 s");
    }

    /// <summary>The contacts a run may list within <paramref name="maxCalls"/>, the searches made and the history share expected.</summary>
    public static int Fit(int maxCalls, int searches, int contacts, double historyShare)
    {
        // Calls grow with the contacts listed: the largest sample whose lists and history reads fit the bound.
        int low = 0, high = contacts;
        while (low < high)
        {
            var middle = low + (high - low + 1) / 2;
            var calls = searches + Ceiling(middle, ListPage) + Ceiling((int)Math.Ceiling(middle * historyShare), HistoryBatch);
            if (calls <= maxCalls)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    /// <summary>⌈<paramref name="count"/> / <paramref name="per"/>⌉.</summary>
    public static int Ceiling(int count, int per) => count <= 0 ? 0 : (count + per - 1) / per;
}

/// <summary>How far a run is: the listing (contacts listed of those to list), then the history reads.</summary>
/// <param name="Listed">Contacts listed so far.</param>
/// <param name="ToList">Contacts to list, when known.</param>
/// <param name="HistoryContacts">Listed contacts that need a history read.</param>
/// <param name="HistoryRead">Of them, those read so far.</param>
/// <param name="Analysing">True once every contact is read and the analysis runs.</param>
internal sealed record InsightsProgress(int Listed, int? ToList, int HistoryContacts, int HistoryRead, bool Analysing)
{
    public static readonly InsightsProgress Starting = new(0, null, 0, 0, false);

    /// <summary><c>1,200/2,000 contacts listed, 140/180 read as they were when qualified</c>.</summary>
    public string Describe() => Analysing
        ? "analysing"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Listed:N0}/{(ToList is { } total ? total.ToString("N0", CultureInfo.InvariantCulture) : "?")} contacts listed, {HistoryRead:N0}/{HistoryContacts:N0} read as they were when qualified");
}
