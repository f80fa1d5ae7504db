using System.Net;
using System.Text.Json;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace HubSyncWorker.HubSpot.UnitTests.Contacts;

public sealed class ContactsClientTests : IClassFixture<WireMockFixture>, IDisposable
{
    private readonly WireMockFixture _wireMock;
    private readonly HubSpotTestHost _host;

    public ContactsClientTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
        _host = HubSpotTestHost.Create(wireMock.Url);
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ListContactsAsync_PagesToLastPage_SendsHubSpotQueryShapeAndStopsWithoutNext()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet().WithParam("after", "cursor-2"))
            .RespondWith(Json(200, """{"results":[{"id":"3","properties":{"email":"c@x.io","firstname":null},"archived":false}]}"""));
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet().WithParam("after", "cursor-1"))
            .RespondWith(Json(200, """{"results":[{"id":"2","properties":{"email":"b@x.io"}}],"paging":{"next":{"after":"cursor-2","link":"x"}}}"""));
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet().WithParam(p => !p.ContainsKey("after")))
            .RespondWith(Json(200, """
                {"results":[{"id":"1","properties":{"email":"a@x.io","lifecyclestage":"lead"},"createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-01-03T00:00:00Z","archived":false,
                  "propertiesWithHistory":{"recent_conversion_event_name":[{"value":"Demo request","timestamp":"2026-01-02T03:04:05.678Z","sourceType":"FORM","sourceId":"form-1"},{"value":"Ebook","timestamp":"2025-12-01T00:00:00Z","sourceType":"FORM"}]},
                  "associations":{"deals":{"results":[{"id":"900","type":"contact_to_deal"}]}}}],
                 "paging":{"next":{"after":"cursor-1"}}}
                """));

        var query = new ContactListQuery
        {
            Properties = ["email", "lifecyclestage"],
            PropertiesWithHistory = ["recent_conversion_event_name"],
            Associations = ["deals"],
        };
        var ids = new List<string>();
        var pages = 0;
        HubSpotContact? first = null;
        string? after = null;
        do
        {
            var page = await _host.Client.ListContactsAsync(query with { After = after }, CancellationToken.None);
            first ??= page.Results[0];
            ids.AddRange(page.Results.Select(c => c.Id));
            after = page.NextAfter;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(["1", "2", "3"], ids);
        Assert.Equal(3, pages);
        Assert.Equal("lead", first!.GetProperty("lifecyclestage"));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), first.CreatedAt);
        var history = first.PropertiesWithHistory!["recent_conversion_event_name"];
        Assert.Equal(["Demo request", "Ebook"], history.Select(h => h.Value));
        Assert.Equal("FORM", history[0].SourceType);
        Assert.Equal("form-1", history[0].SourceId);
        Assert.Equal("900", first.Associations!["deals"].Results[0].Id);

        var firstRequest = _wireMock.Server.LogEntries.First().RequestMessage;
        var rawQuery = Uri.UnescapeDataString(new Uri(firstRequest!.AbsoluteUrl).Query);
        // One comma-joined parameter, the comma percent-encoded exactly as HubSpot's own Node and Python clients send it.
        Assert.Contains("properties=email%2Clifecyclestage&", firstRequest.RawQuery, StringComparison.Ordinal);
        Assert.Contains("properties=email,lifecyclestage", rawQuery, StringComparison.Ordinal);
        Assert.Contains("propertiesWithHistory=recent_conversion_event_name", rawQuery, StringComparison.Ordinal);
        Assert.Contains("associations=deals", rawQuery, StringComparison.Ordinal);
        Assert.Contains("limit=100", rawQuery, StringComparison.Ordinal);
        Assert.Contains("archived=false", rawQuery, StringComparison.Ordinal);
        Assert.DoesNotContain("after=", rawQuery, StringComparison.Ordinal);
        Assert.Equal($"Bearer {HubSpotTestHost.Token}", firstRequest.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task ListContactsAsync_PropertyWithoutValue_IsNullAndNumbersBecomeStrings()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet())
            .RespondWith(Json(200, """{"results":[{"id":"1","properties":{"phone":null,"numemployees":250,"hs_email_optout":true}}]}"""));

        var page = await _host.Client.ListContactsAsync(new ContactListQuery { Properties = ["phone", "numemployees", "hs_email_optout", "company"] }, CancellationToken.None);

        var contact = Assert.Single(page.Results);
        Assert.Null(contact.GetProperty("phone"));
        Assert.Null(contact.GetProperty("company"));
        Assert.Equal("250", contact.GetProperty("numemployees"));
        Assert.Equal("true", contact.GetProperty("hs_email_optout"));
        Assert.Null(page.NextAfter);
    }

    [Fact]
    public async Task SearchContactsAsync_SendsFiltersSortsAndCursor_ReturnsTotalAndNextAfter()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts/search").UsingPost())
            .RespondWith(Json(200, """{"total":412,"results":[{"id":"7","properties":{"lastmodifieddate":"2026-01-01T00:00:00Z"}}],"paging":{"next":{"after":"200"}}}"""));

        var page = await _host.Client.SearchContactsAsync(
            new ContactSearchRequest
            {
                FilterGroups = [new SearchFilterGroup([new SearchFilter { PropertyName = "lastmodifieddate", Operator = SearchOperator.Gte, Value = "1767225600000" }])],
                Sorts = [new SearchSort("lastmodifieddate", SortDirection.Ascending)],
                Properties = ["email", "lastmodifieddate"],
                Limit = 200,
                After = "0",
            },
            CancellationToken.None);

        Assert.Equal(412, page.Total);
        Assert.Equal("7", Assert.Single(page.Results).Id);
        Assert.Equal("200", page.NextAfter);
        using var body = JsonDocument.Parse(_wireMock.Server.LogEntries.Single().RequestMessage!.Body!);
        var expected = JsonDocument.Parse("""
            {"filterGroups":[{"filters":[{"propertyName":"lastmodifieddate","operator":"GTE","value":"1767225600000"}]}],
             "sorts":[{"propertyName":"lastmodifieddate","direction":"ASCENDING"}],"properties":["email","lastmodifieddate"],"limit":200,"after":"0"}
            """);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, body.RootElement), body.RootElement.GetRawText());
    }

    [Fact]
    public async Task SearchContactsAsync_TooManyFilterGroups_ThrowsBeforeCallingHubSpot()
    {
        var group = new SearchFilterGroup([new SearchFilter { PropertyName = "email", Operator = SearchOperator.HasProperty }]);
        var request = new ContactSearchRequest { FilterGroups = [.. Enumerable.Repeat(group, 6)] };

        await Assert.ThrowsAsync<ArgumentException>(() => _host.Client.SearchContactsAsync(request, CancellationToken.None));
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task BatchReadContactsAsync_Partial207_ReportsNotFoundAndMergedAwayIds()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/read").UsingPost())
            .RespondWith(Json(207, """
                {"status":"COMPLETE","results":[{"id":"1","properties":{"email":"a@x.io"}}],"numErrors":1,
                 "errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects, they may be deleted or not exist.","context":{"ids":["2"]}}]}
                """));

        var result = await _host.Client.BatchReadContactsAsync(["1", "2", "3", "1"], ["email"], ["lifecyclestage"], CancellationToken.None);

        Assert.Equal("1", Assert.Single(result.Found).Id);
        // "2" was reported missing; "3" (merged away) is silently absent from the results.
        Assert.Equal(["2", "3"], result.NotFoundIds);
        Assert.Empty(result.Errors);
        using var body = JsonDocument.Parse(_wireMock.Server.LogEntries.Single().RequestMessage!.Body!);
        var expected = JsonDocument.Parse("""{"properties":["email"],"propertiesWithHistory":["lifecyclestage"],"inputs":[{"id":"1"},{"id":"2"},{"id":"3"}]}""");
        Assert.True(JsonElement.DeepEquals(expected.RootElement, body.RootElement), body.RootElement.GetRawText());
    }

    [Fact]
    public async Task BatchReadContactsAsync_MergedAwayIdAnsweredWithItsSurvivor_OneRecordPerRequestedIdAndTheMergedIdNotFound()
    {
        // Should HubSpot answer merged-away "8" with survivor "9" (also requested), "9" comes back twice; "7" was never asked for.
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/read").UsingPost())
            .RespondWith(Json(200, """
                {"status":"COMPLETE","results":[
                  {"id":"9","properties":{"email":"s@x.io"}},{"id":"9","properties":{"email":"s@x.io"}},{"id":"7","properties":{"email":"o@x.io"}}]}
                """));

        var result = await _host.Client.BatchReadContactsAsync(["8", "9"], ["email"], [], CancellationToken.None);

        Assert.Equal("9", Assert.Single(result.Found).Id);
        Assert.Equal(["8"], result.NotFoundIds);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task BatchReadContactsAsync_MoreThan100Ids_ThrowsArgumentException()
    {
        var ids = Enumerable.Range(1, 101).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => _host.Client.BatchReadContactsAsync(ids, ["email"], [], CancellationToken.None));
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_Partial207_MapsEachErrorBackToItsContact()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/update").UsingPost())
            .RespondWith(Json(207, """
                {"status":"COMPLETE","results":[{"id":"10","properties":{"hubsync_mql_score":"42"}}],"numErrors":2,
                 "errors":[
                   {"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid","context":{"objectWriteTraceId":["11"]}},
                   {"status":"error","category":"OBJECT_NOT_FOUND","message":"Object not found","context":{"ids":["12"]}}]}
                """));

        var result = await _host.Client.BatchUpdateContactsAsync(
            [
                new ContactUpdate("10", new Dictionary<string, string> { ["hubsync_mql_score"] = "42" }),
                new ContactUpdate("11", new Dictionary<string, string> { ["hubsync_mql_status"] = "BOGUS" }),
                new ContactUpdate("12", new Dictionary<string, string> { ["hubsync_mql_reason"] = "" }),
            ],
            CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Null(result.BatchFailure);
        Assert.Equal("10", Assert.Single(result.Updated).Id);
        Assert.Equal(
            [new ContactError("11", "VALIDATION_ERROR", "Property values were not valid"), new ContactError("12", "OBJECT_NOT_FOUND", "Object not found")],
            result.Errors);
        using var body = JsonDocument.Parse(_wireMock.Server.LogEntries.Single().RequestMessage!.Body!);
        var expected = JsonDocument.Parse("""
            {"inputs":[{"id":"10","properties":{"hubsync_mql_score":"42"},"objectWriteTraceId":"10"},
                       {"id":"11","properties":{"hubsync_mql_status":"BOGUS"},"objectWriteTraceId":"11"},
                       {"id":"12","properties":{"hubsync_mql_reason":""},"objectWriteTraceId":"12"}]}
            """);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, body.RootElement), body.RootElement.GetRawText());
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_WholeBatch400ValidationError_ReportsBatchFailureWithoutRetrying()
    {
        _wireMock.Server
            .Given(Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/update").UsingPost())
            .RespondWith(Json(400, """
                {"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"BOGUS was not one of the allowed options\",\"name\":\"hubsync_mql_status\"}]",
                 "correlationId":"c0ffee00-1111-2222-3333-444455556666","category":"VALIDATION_ERROR",
                 "errors":[{"message":"BOGUS was not one of the allowed options","code":"INVALID_OPTION","context":{"propertyName":["hubsync_mql_status"]}}]}
                """));

        var result = await _host.Client.BatchUpdateContactsAsync(
            [new ContactUpdate("11", new Dictionary<string, string> { ["hubsync_mql_status"] = "BOGUS" })],
            CancellationToken.None);

        Assert.Empty(result.Updated);
        Assert.NotNull(result.BatchFailure);
        Assert.Equal(HttpStatusCode.BadRequest, result.BatchFailure.StatusCode);
        Assert.Equal("VALIDATION_ERROR", result.BatchFailure.Category);
        Assert.Contains("BOGUS was not one of the allowed options", result.BatchFailure.Message, StringComparison.Ordinal);
        Assert.Equal("c0ffee00-1111-2222-3333-444455556666", result.BatchFailure.CorrelationId);
        // The entry names no input: its category is the answer's, its code and property its own.
        Assert.Equal(
            new ContactError(null, "VALIDATION_ERROR", "BOGUS was not one of the allowed options") { Code = "INVALID_OPTION", PropertyNames = ["hubsync_mql_status"] },
            Assert.Single(result.Errors));
        Assert.Single(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_MoreThan100Inputs_ThrowsArgumentException()
    {
        var updates = Enumerable.Range(1, 101)
            .Select(i => new ContactUpdate(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, string> { ["a"] = "b" }))
            .ToList();

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => _host.Client.BatchUpdateContactsAsync(updates, CancellationToken.None));
        Assert.Contains("at most 100", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    internal static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
}
