using System.Net;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using WireMock.RequestBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Contacts;

/// <summary>
/// An unexpected shape anywhere in a batch answer's <c>errors[]</c> or in an error body never fails the batch: what can be read
/// (category, code, message, the input's id, the property named) is kept. Each shape is tried in a 207 (2026-03) and in a 200
/// (2026-09), on batch read and on batch update.
/// </summary>
public sealed class BatchErrorShapeTests : IClassFixture<WireMockFixture>
{
    private const string ReadPath = "/crm/objects/{0}/contacts/batch/read";
    private const string UpdatePath = "/crm/objects/{0}/contacts/batch/update";
    private readonly WireMockFixture _wireMock;

    public BatchErrorShapeTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    /// <summary>One errors[] entry per row, concerning input "2"; the expected id it is tied to ("" when it names none readable).</summary>
    private static readonly (string Name, string Entry, string ExpectedId)[] Shapes =
    [
        ("subCategory object (HubSpot's spec)", """{"status":"error","category":"VALIDATION_ERROR","subCategory":{"type":"x","detail":[1]},"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("subCategory empty object", """{"status":"error","category":"VALIDATION_ERROR","subCategory":{},"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("subCategory array", """{"status":"error","category":"VALIDATION_ERROR","subCategory":["a",{"b":1}],"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("subCategory number", """{"status":"error","category":"VALIDATION_ERROR","subCategory":42,"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("subCategory null", """{"status":"error","category":"VALIDATION_ERROR","subCategory":null,"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("subCategory string", """{"status":"error","category":"VALIDATION_ERROR","subCategory":"sub","message":"bad","context":{"ids":["2"]}}""", "2"),
        ("context ids a single string", """{"category":"VALIDATION_ERROR","message":"bad","context":{"ids":"2"}}""", "2"),
        ("context ids a number", """{"category":"VALIDATION_ERROR","message":"bad","context":{"ids":2}}""", "2"),
        ("context ids numbers and objects mixed", """{"category":"VALIDATION_ERROR","message":"bad","context":{"ids":[2,{"id":"9"},null]}}""", "2"),
        ("context values objects and null", """{"category":"VALIDATION_ERROR","message":"bad","context":{"ids":["2"],"propertyName":{"a":1},"other":null}}""", "2"),
        ("context null, objectWriteTraceId at the top", """{"category":"VALIDATION_ERROR","message":"bad","context":null,"objectWriteTraceId":"2"}""", "2"),
        ("objectWriteTraceId a number", """{"category":"VALIDATION_ERROR","message":"bad","objectWriteTraceId":2}""", "2"),
        ("context.objectWriteTraceId", """{"category":"VALIDATION_ERROR","message":"bad","context":{"objectWriteTraceId":["2"]}}""", "2"),
        ("context an array", """{"category":"VALIDATION_ERROR","message":"bad","context":["2"],"objectWriteTraceId":"2"}""", "2"),
        ("message an object", """{"category":"VALIDATION_ERROR","message":{"text":"bad"},"context":{"ids":["2"]}}""", "2"),
        ("message a number", """{"category":"VALIDATION_ERROR","message":500,"context":{"ids":["2"]}}""", "2"),
        ("message missing", """{"category":"VALIDATION_ERROR","context":{"ids":["2"]}}""", "2"),
        ("category an object", """{"category":{"name":"VALIDATION_ERROR"},"message":"bad","context":{"ids":["2"]}}""", "2"),
        ("unknown fields of every kind", """{"category":"VALIDATION_ERROR","message":"bad","context":{"ids":["2"]},"links":{"doc":"x"},"errors":[{"in":"y"}],"extra":[1,2],"flag":true}""", "2"),
        ("names no input", """{"category":"VALIDATION_ERROR","message":"bad","subCategory":{}}""", ""),
    ];

    public static TheoryData<string, string, string, string, int> ShapeCases()
    {
        var data = new TheoryData<string, string, string, string, int>();
        foreach (var (name, entry, id) in Shapes)
        {
            foreach (var (version, status) in new[] { ("2026-03", 207), ("2026-09", 200) })
            {
                data.Add(name, entry, id, version, status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public async Task BatchReadContactsAsync_ErrorEntryOfOddShape_KeepsTheResultsAndTiesTheErrorToItsInput(string shape, string entry, string expectedId, string version, int status)
    {
        _ = shape;
        _wireMock.Server.Given(Request.Create().WithPath(string.Format(null, ReadPath, version)).UsingPost())
            .RespondWith(Json(status, $$$"""{"status":"COMPLETE","results":[{"id":"1","properties":{"email":null}}],"numErrors":1,"errors":[{{{entry}}}]}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = version);

        var result = await host.Client.BatchReadContactsAsync(["1", "2"], ["email"], [], default);

        Assert.Equal("1", Assert.Single(result.Found).Id);
        var error = Assert.Single(result.Errors);
        Assert.Equal(expectedId == "" ? null : expectedId, error.ContactId);
        Assert.False(string.IsNullOrEmpty(error.Message));
        Assert.DoesNotContain("1", result.NotFoundIds);
    }

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public async Task BatchUpdateContactsAsync_ErrorEntryOfOddShape_KeepsTheResultsAndTiesTheErrorToItsInput(string shape, string entry, string expectedId, string version, int status)
    {
        _ = shape;
        _wireMock.Server.Given(Request.Create().WithPath(string.Format(null, UpdatePath, version)).UsingPost())
            .RespondWith(Json(status, $$$"""{"status":"COMPLETE","results":[{"id":"1","properties":{"a":"b"}}],"numErrors":1,"errors":[{{{entry}}}]}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = version);

        var result = await host.Client.BatchUpdateContactsAsync(Updates("1", "2"), default);

        Assert.Null(result.BatchFailure);
        Assert.Equal("1", Assert.Single(result.Updated).Id);
        var error = Assert.Single(result.Errors);
        Assert.Equal(expectedId == "" ? null : expectedId, error.ContactId);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Theory]
    [InlineData("""{"status":"COMPLETE","results":[{"id":"1","properties":{}}],"numErrors":{"n":1},"errors":{"category":"X"}}""")]
    [InlineData("""{"status":{"s":1},"results":[{"id":"1","properties":{}}],"numErrors":"1","errors":"oops"}""")]
    [InlineData("""{"status":"COMPLETE","results":[{"id":"1","properties":{}}],"numErrors":1,"errors":["a string",3,null,[1]]}""")]
    public async Task BatchUpdateContactsAsync_ErrorsOrCountsNotOfTheirShape_StillReadsTheResults(string body)
    {
        _wireMock.Server.Given(Request.Create().WithPath(string.Format(null, UpdatePath, "2026-03")).UsingPost()).RespondWith(Json(207, body));
        using var host = HubSpotTestHost.Create(_wireMock.Url);

        var result = await host.Client.BatchUpdateContactsAsync(Updates("1", "2"), default);

        Assert.Null(result.BatchFailure);
        Assert.Equal("1", Assert.Single(result.Updated).Id);
        Assert.All(result.Errors, e => Assert.Null(e.ContactId));
    }

    [Theory]
    [InlineData("""{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR","subCategory":{"a":1},"correlationId":"c-1"}""", "Property values were not valid")]
    [InlineData("""{"status":"error","message":{"text":"nested"},"category":"VALIDATION_ERROR","correlationId":"c-1","errors":"oops"}""", "nested")]
    [InlineData("""{"status":"error","message":"m","category":"VALIDATION_ERROR","correlationId":"c-1","errors":[{"message":"bad","subCategory":{},"context":{"ids":"2","propertyName":"company"}}]}""", "m")]
    [InlineData("""{"status":"error","message":"m","category":"VALIDATION_ERROR","correlationId":"c-1","context":{"ids":{"x":1}},"errors":[null,7,{"code":{"c":1},"message":["a"]}]}""", "m")]
    [InlineData("""{"status":"error","message":"m","category":"VALIDATION_ERROR","correlationId":"c-1","unknown":{"deep":[{"x":null}]},"errors":[{"context":[1,2]}]}""", "m")]
    public async Task BatchUpdateContactsAsync_Whole400OfOddShape_ReportsTheBatchFailureWithWhatItCanRead(string body, string messagePart)
    {
        _wireMock.Server.Given(Request.Create().WithPath(string.Format(null, UpdatePath, "2026-03")).UsingPost()).RespondWith(Json(400, body));
        using var host = HubSpotTestHost.Create(_wireMock.Url);

        var result = await host.Client.BatchUpdateContactsAsync(Updates("1", "2"), default);

        Assert.NotNull(result.BatchFailure);
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR", "c-1"), (result.BatchFailure.StatusCode, result.BatchFailure.Category, result.BatchFailure.CorrelationId));
        Assert.Contains(messagePart, result.BatchFailure.Message, StringComparison.Ordinal);
        Assert.Single(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_Whole400EntryWithScalarContext_TiesItToTheInputAndNamesTheProperty()
    {
        _wireMock.Server.Given(Request.Create().WithPath(string.Format(null, UpdatePath, "2026-03")).UsingPost()).RespondWith(Json(400, """
            {"status":"error","message":"m","category":"VALIDATION_ERROR","errors":[{"message":"bad","code":"INVALID_OPTION","subCategory":{},"context":{"ids":"2","propertyName":"company"}}]}
            """));
        using var host = HubSpotTestHost.Create(_wireMock.Url);

        var result = await host.Client.BatchUpdateContactsAsync(Updates("1", "2"), default);

        Assert.Equal(
            new ContactError("2", "VALIDATION_ERROR", "bad") { Code = "INVALID_OPTION", PropertyNames = ["company"] },
            Assert.Single(result.Errors));
    }

    [Theory]
    [InlineData("""{"message":"m","subCategory":{"a":1},"category":"C"}""", "C", """{"a":1}""")]
    [InlineData("""{"message":"m","subCategory":[],"category":"C"}""", "C", null)]
    [InlineData("""{"message":"m","subCategory":7,"category":"C"}""", "C", "7")]
    [InlineData("""{"message":"m","subCategory":null,"category":null}""", null, null)]
    public void TryParse_TopLevelSubCategoryOfAnyShape_KeepsTheOtherFields(string body, string? category, string? subCategory)
    {
        var error = HubSpotErrorBody.TryParse(body);

        Assert.NotNull(error);
        Assert.Equal(("m", category, subCategory), (error.Message, error.Category, error.SubCategory));
    }

    private static List<ContactUpdate> Updates(params string[] ids) =>
        [.. ids.Select(id => new ContactUpdate(id, new Dictionary<string, string> { ["a"] = "b" }))];
}
