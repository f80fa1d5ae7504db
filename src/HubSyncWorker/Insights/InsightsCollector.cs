using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Options;
using PropertyHistoryEntry = HubSyncWorker.HubSpot.Contacts.PropertyHistoryEntry;

namespace HubSyncWorker.Insights;

/// <summary>The contacts an insights run read, and how it read them.</summary>
/// <param name="Contacts">Each contact as the analysis sees it (at its cut-off).</param>
/// <param name="Listed">Contacts listed.</param>
/// <param name="WithRecordedScores">Qualified contacts analysed from the scores the worker recorded (no history read).</param>
/// <param name="ReadAtCutoff">Contacts whose inputs were read from their history as they were at the cut-off.</param>
/// <param name="FromLifecycleHistory">Contacts whose stage-entry dates came from the lifecycle property's history.</param>
/// <param name="Unreadable">Contacts left out: gone, or their history unreadable, between the listing and the history read.</param>
internal sealed record CollectedContacts(
    IReadOnlyList<InsightContact> Contacts, int Listed, int WithRecordedScores, int ReadAtCutoff, int FromLifecycleHistory, int Unreadable);

/// <summary>
/// Reads the portal's history for the insights analysis through the worker's own HubSpot client (its rate budget, retries and
/// resilience, so the run draws no 429s and shares the budget with everything else the worker does): every contact (or a sample)
/// with the list endpoint, then, for each contact qualified in the past without scores the worker recorded for this policy, the
/// policy's inputs with their history (50 per batch read, as HubSpot requires), rebuilt as they were at its cut-off.
/// </summary>
internal sealed class InsightsCollector
{
    private const string SourceProperty = "hs_analytics_source";

    private readonly IHubSpotCrmClient _client;
    private readonly QualificationPolicy _policy;
    private readonly ContactSnapshotReader _reader;
    private readonly HubSpotBudget _budget;
    private readonly ILogger _logger;
    private readonly StageValues _stages;
    private readonly IReadOnlyList<string> _listProperties;
    private readonly IReadOnlyList<string> _historyProperties;

    public InsightsCollector(
        IHubSpotCrmClient client, QualificationPolicy policy, ContactSnapshotReader reader, IOptions<HubSpotOptions> hubSpot, ILogger<InsightsCollector> logger)
    {
        _client = client;
        _policy = policy;
        _reader = reader;
        _budget = HubSpotBudget.Of(hubSpot.Value);
        _logger = logger;
        _stages = StageValues.Of(policy);
        var entered = _stages.HasEnteredDates ? _stages.All.Select(StageValues.EnteredProperty) : [];
        _listProperties = Distinct([.. reader.Properties, policy.LifecycleProperty, SourceProperty, ContactSnapshotReader.FirstConversionProperty,
            policy.OutputNames.ScoresAtMql, policy.OutputNames.ScoresAtSql, .. entered]);
        _historyProperties = Distinct([.. policy.RequiredProperties, .. policy.HistoryProperties, policy.LifecycleProperty,
            ContactSnapshotReader.ConversionCountProperty, ContactSnapshotReader.FirstConversionProperty]);
    }

    /// <summary>The properties each listed contact is read with.</summary>
    public IReadOnlyList<string> ListProperties => _listProperties;

    /// <summary>The properties whose history is read for a contact analysed at its cut-off.</summary>
    public IReadOnlyList<string> HistoryProperties => _historyProperties;

    /// <summary>
    /// Counts what the run will read (two searches: the portal's contacts, and those that will need a history read) and estimates
    /// its calls. A search HubSpot refuses (e.g. a portal without the stage-entry or recorded-score properties) leaves that part unknown.
    /// </summary>
    public async Task<InsightsEstimate> EstimateAsync(InsightsAsk ask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ask);
        var total = await CountAsync([], cancellationToken);
        var needing = total is null ? null : await CountAsync(NeedsHistoryFilters(ask.HistoryForEveryQualified), cancellationToken);
        const int searches = 2;
        if (total is not { } portal)
        {
            return new InsightsEstimate(null, ask.Sample, 1, ask.Sample is { } s ? InsightsEstimate.Ceiling(s, InsightsEstimate.ListPage) : 0, null, _budget)
            {
                Limit = ask.Sample,
            };
        }

        var share = needing is { } n && portal > 0 ? Math.Min(1, (double)n / portal) : 0;
        var toAnalyse = (int)Math.Min(portal, ask.Sample ?? int.MaxValue);
        int? limit = ask.Sample;
        if (ask.MaxCalls is { } max)
        {
            toAnalyse = InsightsEstimate.Fit(max, searches, toAnalyse, share);
            limit = toAnalyse;
        }

        int? historyContacts = needing is null ? null : (int)Math.Ceiling(toAnalyse * share - 1e-9);
        return new InsightsEstimate(portal, toAnalyse, searches, InsightsEstimate.Ceiling(toAnalyse, InsightsEstimate.ListPage), historyContacts, _budget)
        {
            Limit = limit,
        };
    }

    /// <summary>
    /// Lists the contacts the estimate counted (all of them when the portal could not be counted) and reads the history of those that
    /// need it, 50 at a time as they are listed. With <see cref="InsightsAsk.MaxCalls"/> the listing stops before a page whose reads
    /// could go past the bound.
    /// </summary>
    public async Task<CollectedContacts> CollectAsync(
        InsightsEstimate estimate, InsightsAsk ask, DateTimeOffset analysedAt, Action<InsightsProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentNullException.ThrowIfNull(ask);
        var run = new Run(this, ask, analysedAt, estimate.ToAnalyse, progress);
        string? after = null;
        var calls = estimate.Searches;
        do
        {
            var limit = Math.Min(InsightsEstimate.ListPage, (estimate.Limit ?? int.MaxValue) - run.Listed);
            if (limit <= 0 || (ask.MaxCalls is { } max && calls + 1 + run.HistoryReadsFor(limit) > max))
            {
                break;
            }

            var page = await _client.ListContactsAsync(new ContactListQuery { Limit = limit, After = after, Properties = _listProperties }, cancellationToken);
            calls++;
            foreach (var contact in page.Results.Take(limit))
            {
                run.Add(contact);
            }

            calls += await run.ReadFullBatchesAsync(cancellationToken);
            after = page.NextAfter;
            run.Report();
        }
        while (after is not null);

        await run.ReadRestAsync(cancellationToken);
        run.Report();
        var collected = run.Result();
        InsightsLog.Collected(_logger, collected.Listed, collected.WithRecordedScores, collected.ReadAtCutoff, collected.FromLifecycleHistory, collected.Unreadable);
        return collected;
    }

    private async Task<long?> CountAsync(IReadOnlyList<SearchFilterGroup> filters, CancellationToken cancellationToken)
    {
        try
        {
            var page = await _client.SearchContactsAsync(new ContactSearchRequest { FilterGroups = filters, Limit = 1, Properties = ["hs_object_id"] }, cancellationToken);
            return page.Total;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            InsightsLog.CountFailed(_logger, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// The contacts that will need a history read, as search filters: qualified (an MQL or SQL entry date) without recorded scores
    /// (unless every qualified one is read), those with no stage-entry date whose lifecycle stage is past lead (their dates come from
    /// the lifecycle history), and those never qualified whose conversions beyond two are kept nowhere but in the history. Search has
    /// no filter for "recorded by another policy version": those make the estimate low.
    /// </summary>
    private List<SearchFilterGroup> NeedsHistoryFilters(bool everyQualified)
    {
        static SearchFilter Has(string property) => new() { PropertyName = property, Operator = SearchOperator.HasProperty };
        static SearchFilter HasNot(string property) => new() { PropertyName = property, Operator = SearchOperator.NotHasProperty };
        var manyConversions = new SearchFilter { PropertyName = ContactSnapshotReader.ConversionCountProperty, Operator = SearchOperator.Gt, Value = "2" };
        var qualifiedStage = new SearchFilter { PropertyName = _stages.Property, Operator = SearchOperator.In, Values = _stages.Qualified };
        if (!_stages.HasEnteredDates)
        {
            return [new([qualifiedStage]), new([manyConversions, HasNot(_reader.ConversionHistoryProperty)])];
        }

        var mql = StageValues.EnteredProperty(_stages.Mql);
        var sql = StageValues.EnteredProperty(_stages.Sql);
        List<SearchFilter> mqlGroup = [Has(mql)];
        List<SearchFilter> sqlGroup = [HasNot(mql), Has(sql)];
        if (!everyQualified)
        {
            mqlGroup.Add(HasNot(_policy.OutputNames.ScoresAtMql));
            sqlGroup.Add(HasNot(_policy.OutputNames.ScoresAtSql));
        }

        return
        [
            new(mqlGroup),
            new(sqlGroup),
            new([HasNot(mql), HasNot(sql), manyConversions, HasNot(_reader.ConversionHistoryProperty)]),
            new([.. _stages.All.Select(stage => HasNot(StageValues.EnteredProperty(stage))), qualifiedStage]),
        ];
    }

    private static List<string> Distinct(IEnumerable<string> names) => [.. names.Distinct(StringComparer.Ordinal)];

    /// <summary>The recorded scores that stand for the contact's values at its cut-off, when they are this policy's.</summary>
    private RecordedScores? AtCutoff(StageEntryDates entered, RecordedScores? atMql, RecordedScores? atSql)
    {
        // The cut-off is the first qualification: the SQL record for a contact qualified straight to SQL, else the MQL one (as the
        // analysis reads them).
        var recorded = entered.Sql is { } sql && (entered.Mql is not { } mql || sql < mql || (sql == mql && atMql is null)) ? atSql : atMql;
        return recorded?.PolicyVersion == _policy.Version ? recorded : null;
    }

    /// <summary>One run's state: the contacts built so far and those waiting for their history read.</summary>
    private sealed class Run(InsightsCollector owner, InsightsAsk ask, DateTimeOffset analysedAt, int? toList, Action<InsightsProgress>? progress)
    {
        private readonly List<InsightContact> _contacts = [];
        private readonly List<(HubSpotContact Contact, StageEntryDates? Entered)> _awaiting = [];
        private int _withRecorded;
        private int _readAtCutoff;
        private int _fromLifecycle;
        private int _unreadable;
        private int _historyContacts;
        private int _historyRead;

        public int Listed { get; private set; }

        /// <summary>History reads still to come if <paramref name="more"/> listed contacts all needed one.</summary>
        public int HistoryReadsFor(int more) => InsightsEstimate.Ceiling(_awaiting.Count + more, InsightsEstimate.HistoryBatch);

        public void Add(HubSpotContact contact)
        {
            Listed++;
            var atMql = RecordedScores.Parse(contact.GetProperty(owner._policy.OutputNames.ScoresAtMql));
            var atSql = RecordedScores.Parse(contact.GetProperty(owner._policy.OutputNames.ScoresAtSql));
            var entered = owner._stages.HasEnteredDates ? ContactHistory.FromEnteredDates(contact, owner._stages) : null;
            if (entered is null)
            {
                var stage = contact.GetProperty(owner._stages.Property);
                if (stage is not null && owner._stages.Qualified.Contains(stage, StringComparer.Ordinal))
                {
                    // Qualified once, but when is only in the lifecycle history.
                    Await(contact, null);
                    return;
                }

                // Never qualified (as far as HubSpot shows): the day it became a lead is unknown without its history, and no
                // measure needs it, so its creation stands in.
                entered = string.Equals(stage, owner._stages.Lead, StringComparison.Ordinal)
                    ? StageEntryDates.None with { Lead = contact.CreatedAt ?? analysedAt }
                    : StageEntryDates.None;
            }

            if (entered.Qualified is null)
            {
                if (owner._reader.NeedsHistory(contact))
                {
                    Await(contact, entered);
                    return;
                }

                _contacts.Add(Build(contact, owner._reader.ToSnapshot(contact).Snapshot, analysedAt, entered, atMql, atSql));
                return;
            }

            if (!ask.HistoryForEveryQualified && owner.AtCutoff(entered, atMql, atSql) is not null)
            {
                // The scores and rules of that moment were recorded: today's values are only carried along, never scored.
                _withRecorded++;
                _contacts.Add(Build(contact, owner._reader.ToSnapshot(contact).Snapshot, entered.Qualified.Value, entered, atMql, atSql));
                return;
            }

            Await(contact, entered);
        }

        public async Task<int> ReadFullBatchesAsync(CancellationToken cancellationToken)
        {
            var reads = 0;
            while (_awaiting.Count >= InsightsEstimate.HistoryBatch)
            {
                await ReadAsync(InsightsEstimate.HistoryBatch, cancellationToken);
                reads++;
            }

            return reads;
        }

        public async Task ReadRestAsync(CancellationToken cancellationToken)
        {
            while (_awaiting.Count > 0)
            {
                await ReadAsync(Math.Min(InsightsEstimate.HistoryBatch, _awaiting.Count), cancellationToken);
            }
        }

        public void Report() => progress?.Invoke(new InsightsProgress(Listed, toList, _historyContacts, _historyRead, false));

        public CollectedContacts Result() => new(_contacts, Listed, _withRecorded, _readAtCutoff, _fromLifecycle, _unreadable);

        private void Await(HubSpotContact contact, StageEntryDates? entered)
        {
            _awaiting.Add((contact, entered));
            _historyContacts++;
        }

        private async Task ReadAsync(int size, CancellationToken cancellationToken)
        {
            var batch = _awaiting[..size];
            _awaiting.RemoveRange(0, size);
            var read = await owner._client.BatchReadContactsAsync(
                [.. batch.Select(b => b.Contact.Id)], [ContactSnapshotReader.FirstConversionProperty], owner._historyProperties, cancellationToken);
            var unreadable = read.Errors.Any(e => e.ContactId is null)
                ? batch.Select(b => b.Contact.Id).ToHashSet(StringComparer.Ordinal)
                : read.Errors.Select(e => e.ContactId!).ToHashSet(StringComparer.Ordinal);
            var histories = read.Found.Where(c => !unreadable.Contains(c.Id)).ToDictionary(c => c.Id, StringComparer.Ordinal);
            foreach (var (contact, known) in batch)
            {
                _historyRead++;
                if (!histories.TryGetValue(contact.Id, out var withHistory))
                {
                    _unreadable++;
                    continue;
                }

                var history = withHistory.PropertiesWithHistory ?? new Dictionary<string, IReadOnlyList<PropertyHistoryEntry>>();
                var entered = known;
                if (entered is null)
                {
                    _fromLifecycle++;
                    entered = ContactHistory.FromLifecycleHistory(history.GetValueOrDefault(owner._stages.Property) ?? [], owner._stages);
                }

                var atMql = RecordedScores.Parse(contact.GetProperty(owner._policy.OutputNames.ScoresAtMql));
                var atSql = RecordedScores.Parse(contact.GetProperty(owner._policy.OutputNames.ScoresAtSql));
                if (entered.Qualified is { } qualified && !ask.HistoryForEveryQualified && owner.AtCutoff(entered, atMql, atSql) is not null)
                {
                    _withRecorded++;
                    _contacts.Add(Build(contact, owner._reader.ToSnapshot(contact).Snapshot, qualified, entered, atMql, atSql));
                    continue;
                }

                var cutoff = entered.Qualified ?? analysedAt;
                if (entered.Qualified is not null)
                {
                    _readAtCutoff++;
                }

                _contacts.Add(Build(contact, ContactHistory.AtCutoff(contact.Id, history, cutoff), cutoff, entered, atMql, atSql));
            }

            if (unreadable.Count > 0)
            {
                InsightsLog.HistoryUnreadable(owner._logger, unreadable.Count);
            }
        }

        private static InsightContact Build(HubSpotContact contact, ContactSnapshot atCutoff, DateTimeOffset cutoff, StageEntryDates entered, RecordedScores? atMql, RecordedScores? atSql) =>
            new(atCutoff, cutoff, entered, atMql, atSql, Blank(contact.GetProperty(SourceProperty)), Blank(contact.GetProperty(ContactSnapshotReader.FirstConversionProperty)));

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }
}

internal static partial class InsightsLog
{
    [LoggerMessage(EventId = 4500, Level = LogLevel.Warning, Message = "Insights: a counting search failed ({Reason}); the call estimate leaves that part unknown")]
    public static partial void CountFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Warning, Message = "Insights: HubSpot could not read the history of {Count} contacts; they are left out of the analysis")]
    public static partial void HistoryUnreadable(ILogger logger, int count);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Information, Message = "Insights: {Listed} contacts listed; {Recorded} analysed from their recorded scores, {AtCutoff} read as they were when qualified, {FromLifecycle} dated from the lifecycle history, {Unreadable} left out")]
    public static partial void Collected(ILogger logger, int listed, int recorded, int atCutoff, int fromLifecycle, int unreadable);
}

