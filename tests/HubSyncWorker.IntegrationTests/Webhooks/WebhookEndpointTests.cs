using System.Net;
using System.Text;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Webhooks;

/// <summary>The webhook endpoint on real Kestrel with a real Redis work queue.</summary>
[Collection("redis")]
public sealed class WebhookEndpointTests(RedisServerFixture redis) : IAsyncLifetime
{
    private const string Secret = "webhook-client-secret-for-tests";
    private const string OwnAppId = "4242";
    private WorkerApplication _worker = null!;

    public async Task InitializeAsync() => _worker = await StartWorkerAsync();

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task Post_ValidV3Signature_QueuesTheContactAndAnswers200()
    {
        var response = await SendV3(Batch(SignedWebhook.PropertyChange(1001, "jobtitle", "VP Marketing")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["1001"], await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_UrlWithEncodedCharactersAndQueryString_IsVerifiedOnHubSpotsDecodedForm()
    {
        const string path = "/webhooks/hubspot?portal=62515&return=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&name=a%20b";
        var requestUri = new Uri(_worker.BaseAddress, path).ToString();
        var signedUri = $"{_worker.BaseAddress.ToString().TrimEnd('/')}/webhooks/hubspot?portal=62515&return=https://example.com/a?b%3D1&name=a%20b";
        var body = Batch(SignedWebhook.PropertyChange(1002, "industry", "Software"));

        var response = await _worker.Client.SendAsync(SignedWebhook.V3(requestUri, body, Secret, DateTimeOffset.UtcNow, signedUri));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["1002"], await DrainQueueAsync());
    }

    public static TheoryData<string> TamperedParts => ["body", "url", "timestamp", "method", "secret"];

    [Theory]
    [MemberData(nameof(TamperedParts))]
    public async Task Post_TamperedPart_Is401AndQueuesNothing(string part)
    {
        var uri = Url();
        var body = Batch(SignedWebhook.PropertyChange(1003, "jobtitle", "CTO"));
        var request = part switch
        {
            "body" => Resend(SignedWebhook.V3(uri, body, Secret, DateTimeOffset.UtcNow), Batch(SignedWebhook.PropertyChange(1004, "jobtitle", "CTO"))),
            "url" => SignedWebhook.V3(uri, body, Secret, DateTimeOffset.UtcNow, signedUri: uri + "?x=1"),
            "timestamp" => ShiftTimestamp(SignedWebhook.V3(uri, body, Secret, DateTimeOffset.UtcNow)),
            "method" => SignedWebhook.V3(uri, body, Secret, DateTimeOffset.UtcNow, signedMethod: "PUT"),
            _ => SignedWebhook.V3(uri, body, "not-the-secret", DateTimeOffset.UtcNow),
        };

        var response = await _worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_TimestampOlderThanFiveMinutes_Is401()
    {
        var response = await _worker.Client.SendAsync(SignedWebhook.V3(Url(), Batch(SignedWebhook.PropertyChange(1005, "jobtitle", "CTO")), Secret, DateTimeOffset.UtcNow.AddMinutes(-6)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Post_WithoutSignature_Is401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url()) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };

        var response = await _worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Post_LegacySignature_IsRejectedByDefault(string version)
    {
        var response = await _worker.Client.SendAsync(SignedWebhook.Legacy(version, Url(), Batch(SignedWebhook.PropertyChange(1006, "jobtitle", "CTO")), Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Post_LegacySignature_IsAcceptedWhenEnabled(string version)
    {
        await using var worker = await StartWorkerAsync(new() { ["Webhooks:AcceptSignatureV1"] = "true", ["Webhooks:AcceptSignatureV2"] = "true" });
        var uri = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();

        var response = await worker.Client.SendAsync(SignedWebhook.Legacy(version, uri, Batch(SignedWebhook.PropertyChange(1007, "jobtitle", "CTO")), Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["1007"], await DrainQueueAsync(worker));
    }

    [Fact]
    public async Task Post_BehindAProxy_VerifiesAgainstTheConfiguredPublicUrl()
    {
        const string publicUrl = "https://hubsync.example.com/hooks/hubspot";
        await using var worker = await StartWorkerAsync(new() { ["Webhooks:PublicUrl"] = publicUrl });
        var internalUri = new Uri(worker.BaseAddress, "/webhooks/hubspot?portal=1").ToString();
        var body = Batch(SignedWebhook.PropertyChange(1008, "jobtitle", "CTO"));

        var signedForPublic = await worker.Client.SendAsync(SignedWebhook.V3(internalUri, body, Secret, DateTimeOffset.UtcNow, signedUri: publicUrl + "?portal=1"));
        var signedForInternal = await worker.Client.SendAsync(SignedWebhook.V3(internalUri, body, Secret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, signedForPublic.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signedForInternal.StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"eventId":1}""")]
    [InlineData("")]
    [InlineData("[{\"eventId\":1},")]
    public async Task Post_BodyThatIsNotAJsonArray_Is400(string body)
    {
        var response = await SendV3(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("""{"eventId":1,"subscriptionType":7,"objectId":5}""")]
    [InlineData("""{"eventId":1,"subscriptionType":"contact.creation","objectId":"five"}""")]
    public async Task Post_OneMalformedEvent_IsSkippedAndTheOthersAreQueued(string malformed)
    {
        // HubSpot never retries a refused delivery: refusing it for one bad event would lose the good ones for good.
        var body = Batch(SignedWebhook.PropertyChange(1021, "jobtitle", "CTO", eventId: 21) + "," + malformed + "," + SignedWebhook.PropertyChange(1022, "jobtitle", "CTO", eventId: 22));

        var response = await SendV3(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["1021", "1022"], await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_GenericPropertyChangeForAContact_IsQueuedLikeItsContactTwin()
    {
        var legacy = await SendV3(Batch(SignedWebhook.PropertyChange(1031, "jobtitle", "CTO", eventId: 31)));
        var legacyQueued = await DrainQueueAsync();

        var generic = await SendV3(Batch(SignedWebhook.GenericPropertyChange(1032, "jobtitle", "CTO", eventId: 32)));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (legacy.StatusCode, generic.StatusCode));
        Assert.Equal(["1031"], legacyQueued);
        Assert.Equal(["1032"], await DrainQueueAsync());

        // HubSpot's retry of the generic event is a duplicate, as for the classic one.
        Assert.Equal(HttpStatusCode.OK, (await SendV3(Batch(SignedWebhook.GenericPropertyChange(1032, "jobtitle", "CTO", eventId: 32)))).StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_GenericEchoOfTheWorkersOwnWriteOrAnotherObjectType_DoesNoWork()
    {
        var ownAppChange = SignedWebhook.GenericPropertyChange(1033, "lifecyclestage", "marketingqualifiedlead", eventId: 33, sourceId: OwnAppId);
        var outputChange = SignedWebhook.GenericPropertyChange(1034, "hubsync_status", "mql", eventId: 34, sourceId: "userId:9");
        var deal = SignedWebhook.GenericPropertyChange(1035, "jobtitle", "CTO", eventId: 35, objectTypeId: "0-3");

        var response = await SendV3(Batch(ownAppChange + "," + outputChange + "," + deal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413()
    {
        var events = string.Join(",", Enumerable.Range(0, 400).Select(i => SignedWebhook.PropertyChange(5000 + i, "jobtitle", new string('x', 100), eventId: i)));

        var response = await SendV3(Batch(events));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_SameEventTwice_SecondDeliveryDoesNoWork()
    {
        var body = Batch(SignedWebhook.PropertyChange(1009, "jobtitle", "CTO", eventId: 77));
        Assert.Equal(HttpStatusCode.OK, (await SendV3(body)).StatusCode);
        Assert.Equal(["1009"], await DrainQueueAsync());

        var retry = await SendV3(body.Replace("\"attemptNumber\":0", "\"attemptNumber\":1", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_EchoOfTheWorkersOwnWrite_DoesNoWork()
    {
        var ownAppChange = SignedWebhook.PropertyChange(1010, "lifecyclestage", "marketingqualifiedlead", eventId: 1, sourceId: OwnAppId);
        var outputChange = SignedWebhook.PropertyChange(1011, "hubsync_status", "mql", eventId: 2, sourceId: "userId:9");

        var response = await SendV3(Batch(ownAppChange + "," + outputChange));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_UnknownSubscriptionTypeAndUnwatchedProperty_AreAcceptedAndIgnored()
    {
        var unknown = """{"eventId":3,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"deal.creation","objectId":9}""";
        var unwatched = SignedWebhook.PropertyChange(1012, "favourite_colour", "blue", eventId: 4);

        var response = await SendV3(Batch(unknown + "," + unwatched));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await DrainQueueAsync());
    }

    [Fact]
    public async Task Post_RedisDown_Answers503ThenTheRetryIsQueuedAsIfNothingHappened()
    {
        var body = Batch(SignedWebhook.PropertyChange(1013, "jobtitle", "Head of Growth", eventId: 88));
        await redis.StopAsync();
        HttpResponseMessage duringOutage;
        try
        {
            duringOutage = await SendV3(body);
        }
        finally
        {
            await redis.StartAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringOutage.StatusCode);

        // HubSpot retries the same delivery; once Redis answers again it is queued exactly once.
        var retry = await Eventually.ReturnsAsync(() => SendV3(body), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the retried delivery is accepted");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(["1013"], await DrainQueueAsync());
    }

    private Task<WorkerApplication> StartWorkerAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HubSpot:AccessToken"] = "pat-test-token",
            ["HubSpot:BaseUrl"] = "http://127.0.0.1:9",
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["Webhooks:ClientSecret"] = Secret,
            ["Webhooks:OwnAppIds:0"] = OwnAppId,
            ["Webhooks:MaxBodyBytes"] = "20000",
            ["Redis:ConnectionString"] = redis.FastFailConnectionString,
            ["Redis:KeyPrefix"] = RedisServerFixture.NewKeyPrefix(),
            ["Sync:IncrementalEnabled"] = "false",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return WorkerApplication.StartAsync(settings);
    }

    private string Url() => new Uri(_worker.BaseAddress, "/webhooks/hubspot").ToString();

    private Task<HttpResponseMessage> SendV3(string body) => _worker.Client.SendAsync(SignedWebhook.V3(Url(), body, Secret, DateTimeOffset.UtcNow));

    private Task<IReadOnlyList<string>> DrainQueueAsync() => DrainQueueAsync(_worker);

    private static async Task<IReadOnlyList<string>> DrainQueueAsync(WorkerApplication worker)
    {
        var queue = worker.Services.GetRequiredService<IWorkQueue>();
        var items = await queue.ReadAsync("test-consumer", 100, TimeSpan.Zero, default);
        await queue.AcknowledgeAsync(items, default);
        return [.. items.Select(i => i.Item.ContactId).Order(StringComparer.Ordinal)];
    }

    private static string Batch(string events) => "[" + events + "]";

    private static HttpRequestMessage Resend(HttpRequestMessage signed, string otherBody)
    {
        signed.Content = new StringContent(otherBody, Encoding.UTF8, "application/json");
        return signed;
    }

    private static HttpRequestMessage ShiftTimestamp(HttpRequestMessage signed)
    {
        var original = long.Parse(signed.Headers.GetValues("X-HubSpot-Request-Timestamp").Single(), System.Globalization.CultureInfo.InvariantCulture);
        signed.Headers.Remove("X-HubSpot-Request-Timestamp");
        signed.Headers.Add("X-HubSpot-Request-Timestamp", (original - 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return signed;
    }
}
