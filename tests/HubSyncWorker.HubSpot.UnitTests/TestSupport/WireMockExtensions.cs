using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HubSyncWorker.HubSpot.UnitTests.TestSupport;

internal static class WireMockExtensions
{
    /// <summary>Answers successive requests matching <paramref name="request"/> with <paramref name="responses"/> in order; the last one repeats.</summary>
    public static void GivenSequence(this WireMockServer server, IRequestBuilder request, params IResponseBuilder[] responses)
    {
        var scenario = Guid.NewGuid().ToString("N");
        for (var i = 0; i < responses.Length; i++)
        {
            var mapping = server.Given(request).InScenario(scenario);
            if (i > 0)
            {
                mapping = mapping.WhenStateIs($"step{i}");
            }

            if (i < responses.Length - 1)
            {
                mapping = mapping.WillSetStateTo($"step{i + 1}");
            }

            mapping.RespondWith(responses[i]);
        }
    }

    public static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    public static IResponseBuilder RateLimited(string policyName) => Json(
        429,
        $$"""{"status":"error","message":"You have reached your {{policyName}} limit.","errorType":"RATE_LIMIT","correlationId":"6a5b1e2f-0000-4000-8000-000000000429","policyName":"{{policyName}}","requestId":"r-1"}""");

    public const string EmptyContactPage = """{"results":[]}""";
}
