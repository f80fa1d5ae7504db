using HubSyncWorker.Diagnostics;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class HubSpotCallTallyTests
{
    /// <summary>
    /// The rolling window lets B calls through at once and B more each window after: C calls need ⌊(C−1)/B⌋ windows, searches
    /// against their own per-second budget at the same time (the longer of the two counts).
    /// </summary>
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(190, 0, 0)]
    [InlineData(191, 0, 10)]
    [InlineData(380, 0, 10)]
    [InlineData(381, 0, 20)]
    [InlineData(615, 0, 30)]
    [InlineData(405, 0, 20)]
    [InlineData(10, 4, 0)]
    [InlineData(10, 5, 1)]
    [InlineData(10, 41, 10)]
    [InlineData(200, 45, 11)]
    public void Ideal_CallsAgainstTheBudget_WholeWindowsTheRollingLimitNeeds(long standard, long searches, double seconds)
    {
        var budget = new HubSpotBudget(RequestsPerTenSeconds: 190, SearchRequestsPerSecond: 4);

        Assert.Equal(TimeSpan.FromSeconds(seconds), budget.Ideal(standard, searches));
    }

    [Fact]
    public void Report_CallsInNestedScopes_EachScopeCountsItsOwnAndTheEnclosingCountsBoth()
    {
        using var outer = HubSpotCallTally.Begin();
        HubSpotCallTally.Record(HubSpotCallKind.Properties, retry: false, rateLimited: false);
        HubSpotCallReport inner;
        using (var scope = HubSpotCallTally.Begin())
        {
            HubSpotCallTally.Record(HubSpotCallKind.List, retry: false, rateLimited: true);
            HubSpotCallTally.Record(HubSpotCallKind.List, retry: true, rateLimited: false);
            HubSpotCallTally.Record(HubSpotCallKind.HistoryRead, retry: false, rateLimited: false);
            inner = scope.Report(new HubSpotBudget(1, 1), TimeSpan.FromSeconds(3));
        }

        HubSpotCallTally.Record(HubSpotCallKind.BatchUpdate, retry: false, rateLimited: false);
        var all = outer.Report(new HubSpotBudget(1, 1), TimeSpan.FromSeconds(5));

        Assert.Equal((2, 1, 0, 0, 3, 1, 1), (inner.List, inner.HistoryRead, inner.Properties, inner.BatchUpdate, inner.Total, inner.Retries, inner.RateLimited));
        Assert.Equal((2, 1, 1, 1, 5, 1, 1), (all.List, all.HistoryRead, all.Properties, all.BatchUpdate, all.Total, all.Retries, all.RateLimited));

        // The 429 is not a call HubSpot's budget let through: 2 answered calls at 1 per 10 s need one window; 4 need three.
        Assert.Equal(TimeSpan.FromSeconds(10), inner.Ideal);
        Assert.Equal(TimeSpan.FromSeconds(30), all.Ideal);
    }

    [Fact]
    public void Compact_SomeKindsCalled_NamesOnlyThoseWithRetriesAnd429s()
    {
        using var scope = HubSpotCallTally.Begin();
        Assert.Equal("none", scope.Counts().Compact());

        HubSpotCallTally.Record(HubSpotCallKind.Search, retry: false, rateLimited: false);
        HubSpotCallTally.Record(HubSpotCallKind.Search, retry: false, rateLimited: true);
        HubSpotCallTally.Record(HubSpotCallKind.HistoryRead, retry: true, rateLimited: false);

        Assert.Equal("search 2, history read 1 (1 retries, 1 429s)", scope.Counts().Compact());
    }

    [Fact]
    public void Record_NoScope_CountsNowhere()
    {
        HubSpotCallTally.Record(HubSpotCallKind.List, retry: false, rateLimited: false);
        using var scope = HubSpotCallTally.Begin();

        Assert.Equal(0, scope.Report(new HubSpotBudget(100, 4), TimeSpan.Zero).Total);
    }

    [Theory]
    [InlineData("GET", "/crm/objects/contacts", false, "List")]
    [InlineData("GET", "/crm/v3/objects/contacts", false, "List")]
    [InlineData("POST", "/crm/objects/2026-03/contacts/search", false, "Search")]
    [InlineData("POST", "/crm/objects/contacts/batch/read", false, "BatchRead")]
    [InlineData("POST", "/crm/objects/contacts/batch/read", true, "HistoryRead")]
    [InlineData("POST", "/crm/objects/contacts/batch/update", false, "BatchUpdate")]
    [InlineData("GET", "/crm/properties/2026-03/contacts/{name}", false, "Properties")]
    [InlineData("POST", "/crm/properties/contacts/groups", false, "Properties")]
    [InlineData("POST", "/crm/objects/contacts", false, "Other")]
    [InlineData("GET", "/oauth/v1/access-tokens/{id}", false, "Other")]
    public void KindOf_EndpointAndHistoryMark_TheKindTheSummaryCountsItAs(string method, string endpoint, bool history, string expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://api.hubapi.com" + endpoint);
        if (history)
        {
            // As Refit's [Property] sets it (boxed): the key is HubSpotRequestMarks.HistoryRead, internal to the client.
            request.Options.Set(new HttpRequestOptionsKey<object?>("HubSyncWorker.HubSpot.HistoryRead"), true);
        }

        Assert.Equal(Enum.Parse<HubSpotCallKind>(expected), HubSpotCallTally.KindOf(request, endpoint));
    }
}
