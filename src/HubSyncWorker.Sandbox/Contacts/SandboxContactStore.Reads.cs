namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>The store's read side, as the list, batch read and search endpoints use it.</summary>
public sealed partial class SandboxContactStore
{
    /// <summary>A page of the list endpoint: active (or archived) contacts with id &gt; <paramref name="afterId"/>, in id order.</summary>
    internal (List<ContactView> Page, long? NextAfterId) ListPage(long afterId, int limit, bool archived, IReadOnlyCollection<string> historyFor, bool withDeals)
    {
        var page = new List<ContactView>(limit);
        lock (_lock)
        {
            for (var index = (int)Math.Clamp(afterId, 0, _records.Count); index < _records.Count; index++)
            {
                if (_records[index] is not { } record || record.Current.Archived != archived || record.MergedInto is not null)
                {
                    continue;
                }

                if (page.Count == limit)
                {
                    return (page, page[^1].Id);
                }

                page.Add(View(record, record.Current, historyFor, withDeals));
            }
        }

        return (page, null);
    }

    /// <summary>Batch read: views of the found ids and the ids not found (merged-away ids are neither: HubSpot just leaves them out).</summary>
    internal (List<ContactView> Found, List<string> Missing) Read(IReadOnlyList<string> ids, IReadOnlyCollection<string> historyFor)
    {
        var found = new List<ContactView>(ids.Count);
        var missing = new List<string>();
        lock (_lock)
        {
            foreach (var id in ids)
            {
                var record = Find(id);
                if (record is { MergedInto: not null })
                {
                    continue;
                }

                if (record is null || record.Current.Archived)
                {
                    missing.Add(id);
                    continue;
                }

                found.Add(View(record, record.Current, historyFor, withDeals: false));
            }
        }

        return (found, missing);
    }

    /// <summary>Runs a search over the indexed states (lagging by the configured index lag); returns the total and one page.</summary>
    internal (int Total, List<ContactView> Page) Search(SearchQuery query)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            PromoteIndexed(now);
            if (query.SortProperty is not { } sort)
            {
                // Id order: count every match, keep only the requested page (no per-search buffer).
                var total = 0;
                var page = new List<ContactView>(query.Limit);
                foreach (var record in _records)
                {
                    if (record?.Indexed is { Archived: false } state && ContactSearch.Matches(state, query.FilterGroups))
                    {
                        if (total >= query.After && page.Count < query.Limit)
                        {
                            page.Add(View(record, state, [], withDeals: false));
                        }

                        total++;
                    }
                }

                return (total, page);
            }

            // Sorted: one reused key buffer (the lock makes it single-user), so searches over 100k+ contacts allocate no large arrays.
            var count = 0;
            foreach (var record in _records)
            {
                if (record?.Indexed is { Archived: false } state && ContactSearch.Matches(state, query.FilterGroups))
                {
                    if (count == _sortBuffer.Length)
                    {
                        Array.Resize(ref _sortBuffer, Math.Max(1024, count * 2));
                    }

                    _sortBuffer[count++] = ContactSearch.KeyOf(state, sort, record.Id);
                }
            }

            var keys = _sortBuffer.AsSpan(0, count);
            ContactSearch.SortTop(keys, Math.Min(count, query.After + query.Limit), query.Descending);
            var sortedPage = new List<ContactView>(query.Limit);
            for (var i = query.After; i < count && sortedPage.Count < query.Limit; i++)
            {
                var record = _records[(int)keys[i].Id - 1]!;
                sortedPage.Add(View(record, record.Indexed!, [], withDeals: false));
            }

            keys.Clear();
            return (count, sortedPage);
        }
    }
}
