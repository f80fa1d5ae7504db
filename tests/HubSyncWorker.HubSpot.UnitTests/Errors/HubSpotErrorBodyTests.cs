using System.Text.Json;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.HubSpot.Serialization;

namespace HubSyncWorker.HubSpot.UnitTests.Errors;

public sealed class HubSpotErrorBodyTests
{
    [Fact]
    public void TryParse_FullErrorBody_ReadsEveryField()
    {
        var error = HubSpotErrorBody.TryParse("""
            {"status":"error","message":"Invalid input","correlationId":"c-1","category":"VALIDATION_ERROR","subCategory":"sub",
             "errors":[{"message":"bad option","code":"INVALID_OPTION","context":{"propertyName":["x"]}}],"context":{"ids":["1","2"]}}
            """);

        Assert.NotNull(error);
        Assert.Equal("VALIDATION_ERROR", error.Category);
        Assert.Equal("sub", error.SubCategory);
        Assert.Equal("c-1", error.CorrelationId);
        Assert.Equal(["1", "2"], error.Context!["ids"]);
        Assert.Equal("INVALID_OPTION", Assert.Single(error.Errors!).Code);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    public void TryParse_NotAJsonObject_ReturnsNullWithoutThrowing(string content)
    {
        Assert.Null(HubSpotErrorBody.TryParse(content));
    }

    [Fact]
    public void TryParse_UnexpectedShapes_KeepsWhatItCan()
    {
        // context values as scalars instead of arrays, and "errors" that is not an array at all.
        var scalarContext = HubSpotErrorBody.TryParse("""{"message":"m","context":{"id":"7","count":2}}""");
        var oddErrors = HubSpotErrorBody.TryParse("""{"message":"m","category":"RATE_LIMITS","policyName":"DAILY","errors":"oops"}""");

        Assert.Equal(["7"], scalarContext!.Context!["id"]);
        Assert.Equal(["2"], scalarContext.Context["count"]);
        Assert.Equal("DAILY", oddErrors!.PolicyName);
        Assert.Equal("RATE_LIMITS", oddErrors.Category);
        Assert.Null(oddErrors.Errors);
    }

    [Fact]
    public void Deserialize_PropertyWithUnknownFieldType_ReadsItAsText()
    {
        var property = JsonSerializer.Deserialize<HubSpotProperty>(
            """{"name":"hs_predictivescoringtier","label":"Likelihood","type":"enumeration","fieldType":"calculation_score","calculated":true,"options":[{"label":"Tier 1","value":"tier_1","displayOrder":0,"hidden":false}]}""",
            HubSpotJson.Options);

        Assert.Equal("calculation_score", property!.FieldType);
        Assert.Equal("tier_1", Assert.Single(property.Options).Value);
    }
}
