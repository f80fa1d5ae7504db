using System.Globalization;
using System.Net;
using System.Text.Json;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using WireMock.RequestBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Contacts;

/// <summary>
/// Batch behaviour that differs between HubSpot's versions: 2026-09's 200-only answers with errors inside, null values, the portal's
/// validation-rule rejections, and the 50-input limit of history reads.
/// </summary>
public sealed class ApiVersionBatchTests : IClassFixture<WireMockFixture>
{
    private const string ValidationRule400 = """
        {"status":"error","message":"Some contacts break the portal's validation rules","correlationId":"c-400","category":"VALIDATION_ERROR",
         "errors":[
           {"message":"company is required","code":"MISSING_REQUIRED_PROPERTY","context":{"propertyName":["company"],"ids":["11"]}},
           {"message":"jobtitle and industry are required when lifecyclestage is customer","code":"MISSING_CONDITIONAL_REQUIRED_PROPERTY","objectWriteTraceId":"12","context":{"propertyName":["jobtitle","industry"]}}]}
        """;

    private readonly WireMockFixture _wireMock;

    public ApiVersionBatchTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    [Theory]
    [InlineData("2026-03", 207)]
    [InlineData("2026-09", 200)]
    [InlineData("v3", 207)]
    public async Task BatchReadContactsAsync_PerInputErrors_ReadAlikeFrom207And200(string version, int status)
    {
        _wireMock.Server.Given(Request.Create().WithPath(ObjectsPath(version) + "/batch/read").UsingPost()).RespondWith(Json(status, """
            {"status":"COMPLETE","results":[{"id":"1","properties":{"email":null,"company":"Acme"}}],"numErrors":2,
             "errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects","context":{"ids":["2"]},"subCategory":{}},
                       {"status":"error","category":"INTERNAL_ERROR","message":"try later","context":{"ids":["3"]}}]}
            """));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = version);

        var result = await host.Client.BatchReadContactsAsync(["1", "2", "3"], ["email", "company"], [], default);

        var found = Assert.Single(result.Found);
        Assert.Null(found.GetProperty("email"));
        Assert.Equal("Acme", found.GetProperty("company"));
        Assert.Equal(["2"], result.NotFoundIds);
        Assert.Equal([new ContactError("3", "INTERNAL_ERROR", "try later")], result.Errors);
    }

    [Theory]
    [InlineData("2026-03", 207)]
    [InlineData("2026-09", 200)]
    public async Task BatchUpdateContactsAsync_ValidationRulePerInput_NamesCodeAndPropertyFrom207And200(string version, int status)
    {
        _wireMock.Server.Given(Request.Create().WithPath(ObjectsPath(version) + "/batch/update").UsingPost()).RespondWith(Json(status, """
            {"status":"COMPLETE","results":[{"id":"10","properties":{"hubsync_status":"mql","company":null}}],"numErrors":1,
             "errors":[{"status":"error","category":"VALIDATION_ERROR","code":"MISSING_REQUIRED_PROPERTY","subCategory":{"rule":"r-1"},"message":"company is required",
                        "context":{"propertyName":["company"],"objectWriteTraceId":["11"]}}]}
            """));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = version);

        var result = await host.Client.BatchUpdateContactsAsync(Updates("10", "11"), default);

        Assert.Null(result.BatchFailure);
        Assert.Equal("10", Assert.Single(result.Updated).Id);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new ContactError("11", "VALIDATION_ERROR", "company is required") { Code = "MISSING_REQUIRED_PROPERTY", PropertyNames = ["company"] }, error);
        Assert.True(error.IsValidationRuleRejection);
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_Whole400ValidationRules_TiesEachToItsInputWithoutRetrying()
    {
        _wireMock.Server.Given(Request.Create().WithPath(ObjectsPath("2026-09") + "/batch/update").UsingPost()).RespondWith(Json(400, ValidationRule400));
        using var host = HubSpotTestHost.Create(_wireMock.Url, settings => settings["HubSpot:ApiVersion"] = "2026-09");

        var result = await host.Client.BatchUpdateContactsAsync(Updates("10", "11", "12"), default);

        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), (result.BatchFailure!.StatusCode, result.BatchFailure.Category));
        Assert.Equal(
            [
                new ContactError("11", "VALIDATION_ERROR", "company is required") { Code = "MISSING_REQUIRED_PROPERTY", PropertyNames = ["company"] },
                new ContactError("12", "VALIDATION_ERROR", "jobtitle and industry are required when lifecyclestage is customer")
                {
                    Code = "MISSING_CONDITIONAL_REQUIRED_PROPERTY",
                    PropertyNames = ["jobtitle", "industry"],
                },
            ],
            result.Errors);
        Assert.All(result.Errors, e => Assert.True(e.IsValidationRuleRejection));
        Assert.Single(_wireMock.Server.LogEntries);
    }

    [Fact]
    public async Task BatchReadContactsAsync_HistoryFor51Ids_ThrowsBeforeCallingHubSpot()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        var ids = Ids(51);

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.BatchReadContactsAsync(ids, ["email"], ["recent_conversion_event_name"], default));

        Assert.Contains("propertiesWithHistory takes at most 50 ids", exception.Message, StringComparison.Ordinal);
        Assert.Contains("got 51", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_wireMock.Server.LogEntries);
    }

    [Theory]
    [InlineData(50, true)]
    [InlineData(100, false)]
    public async Task BatchReadContactsAsync_WithinTheLimitOfItsKind_IsSent(int count, bool withHistory)
    {
        _wireMock.Server.Given(Request.Create().WithPath(ObjectsPath("2026-03") + "/batch/read").UsingPost()).RespondWith(Json(200, """{"status":"COMPLETE","results":[]}"""));
        using var host = HubSpotTestHost.Create(_wireMock.Url);

        // Duplicates do not count: HubSpot is sent 50 distinct ids.
        var ids = Ids(count).Concat(Ids(5)).ToList();
        await host.Client.BatchReadContactsAsync(ids, ["email"], withHistory ? ["recent_conversion_event_name"] : [], default);

        using var body = JsonDocument.Parse(Assert.Single(_wireMock.Server.LogEntries).RequestMessage!.Body!);
        Assert.Equal(count, body.RootElement.GetProperty("inputs").GetArrayLength());
    }

    private static string ObjectsPath(string version) => version == "v3" ? "/crm/v3/objects/contacts" : $"/crm/objects/{version}/contacts";

    private static List<string> Ids(int count) => [.. Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static List<ContactUpdate> Updates(params string[] ids) =>
        [.. ids.Select(id => new ContactUpdate(id, new Dictionary<string, string> { ["hubsync_status"] = "mql" }))];
}
