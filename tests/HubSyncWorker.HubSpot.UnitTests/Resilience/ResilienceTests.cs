using System.Globalization;
using System.Net;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.RateLimiting;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static HubSyncWorker.HubSpot.UnitTests.TestSupport.WireMockExtensions;

namespace HubSyncWorker.HubSpot.UnitTests.Resilience;

/// <summary>
/// The full pipeline (auth → total timeout → retry → breaker → attempt timeout → rate limiter) against WireMock, on a clock
/// running 20× faster than real time: a 10 s HubSpot wait costs 0.5 s of test time.
/// </summary>
public sealed class ResilienceTests : IClassFixture<WireMockFixture>
{
    private const int RetryEvent = 1001;
    private const int RateLimitedEvent = 1002;
    private const int DailyLimitEvent = 1003;
    private const int CircuitOpenedEvent = 1004;
    private static readonly IRequestBuilder ListContacts = Request.Create().WithPath("/crm/objects/2026-03/contacts").UsingGet();
    private static readonly IRequestBuilder SearchContacts = Request.Create().WithPath("/crm/objects/2026-03/contacts/search").UsingPost();
    private readonly WireMockFixture _wireMock;

    public ResilienceTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    [Fact]
    public async Task ListContactsAsync_TenSecondly429_WaitsForWindowThenSucceeds()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.GivenSequence(ListContacts, RateLimited("TEN_SECONDLY_ROLLING"), Json(200, """{"results":[{"id":"1","properties":{}}]}"""));

        var page = await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        Assert.Equal("1", Assert.Single(page.Results).Id);
        var requests = _wireMock.Server.LogEntries.Select(e => e.RequestMessage!.DateTime).ToList();
        Assert.Equal(2, requests.Count);
        // 10 s of accelerated time = 0.5 s real; allow for timer granularity.
        Assert.True(requests[1] - requests[0] >= TimeSpan.FromMilliseconds(450), $"retried after {requests[1] - requests[0]}");
        var retry = Assert.Single(host.Events(RetryEvent));
        Assert.Equal("TEN_SECONDLY_ROLLING", retry["PolicyName"]);
        Assert.Equal("00:00:10", retry["Delay"]);
        var pause = Assert.Single(host.Events(RateLimitedEvent));
        Assert.Equal("Standard", pause["Kind"]);
        Assert.Equal("00:00:10", pause["Pause"]);
    }

    [Fact]
    public async Task SearchContactsAsync_Secondly429_RetriedAfterOneSecondAndPausesSearchOnly()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.GivenSequence(SearchContacts, RateLimited("SECONDLY"), Json(200, """{"total":0,"results":[]}"""));

        var page = await host.Client.SearchContactsAsync(new ContactSearchRequest(), CancellationToken.None);

        Assert.Equal(0, page.Total);
        Assert.Equal(2, _wireMock.Server.LogEntries.Count());
        Assert.Equal("00:00:01", Assert.Single(host.Events(RetryEvent))["Delay"]);
        Assert.Equal("Search", Assert.Single(host.Events(RateLimitedEvent))["Kind"]);
    }

    [Fact]
    public async Task ListContactsAsync_Daily429_NotRetriedAndThrowsDailyLimitExceeded()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.Given(ListContacts).RespondWith(RateLimited("DAILY"));

        var exception = await Assert.ThrowsAsync<HubSpotDailyLimitExceededException>(() => host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None));

        Assert.Single(_wireMock.Server.LogEntries);
        Assert.Equal(HttpStatusCode.TooManyRequests, exception.StatusCode);
        Assert.Contains("daily API limit", exception.Message, StringComparison.Ordinal);
        Assert.Contains("6a5b1e2f-0000-4000-8000-000000000429", exception.Message, StringComparison.Ordinal);
        Assert.Empty(host.Events(RetryEvent));
        Assert.Single(host.Events(DailyLimitEvent));
    }

    [Fact]
    public async Task ListContactsAsync_429WithRetryAfterSeconds_WaitsWhatTheServerSays()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        var limited = Json(429, """{"status":"error","policyName":"TEN_SECONDLY_ROLLING"}""").WithHeader("Retry-After", "3");
        _wireMock.Server.GivenSequence(ListContacts, limited, Json(200, EmptyContactPage));

        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        Assert.Equal("00:00:03", Assert.Single(host.Events(RetryEvent))["Delay"]);
        Assert.Equal("00:00:03", Assert.Single(host.Events(RateLimitedEvent))["Pause"]);
    }

    [Fact]
    public async Task ListContactsAsync_477WithRetryAfterDate_WaitsUntilThatDate()
    {
        // A clock that stands still while the call runs: the wait is exactly the date minus now, however slow the machine (an
        // accelerated clock let seconds of HubSpot time pass before the answer was read on busy CI cores).
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        using var host = HubSpotTestHost.Create(_wireMock.Url, timeProvider: clock);
        var retryAt = clock.GetUtcNow().AddSeconds(8).ToString("r", CultureInfo.InvariantCulture);
        _wireMock.Server.GivenSequence(ListContacts, Response.Create().WithStatusCode(477).WithHeader("Retry-After", retryAt), Json(200, EmptyContactPage));

        var call = host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (host.Events(RetryEvent).Count == 0 && DateTime.UtcNow < deadline && !call.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        var delay = TimeSpan.Parse(Assert.Single(host.Events(RetryEvent))["Delay"]!, CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(8), delay);
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(8));
        await call.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task BatchUpdateContactsAsync_Locked423_RetriedAfterTwoSeconds()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.GivenSequence(
            Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/update").UsingPost(),
            Json(423, """{"status":"error","message":"Record is locked","category":"LOCKED"}"""),
            Json(200, """{"status":"COMPLETE","results":[{"id":"5","properties":{"a":"b"}}]}"""));

        var result = await host.Client.BatchUpdateContactsAsync([new ContactUpdate("5", new Dictionary<string, string> { ["a"] = "b" })], CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal("00:00:02", Assert.Single(host.Events(RetryEvent))["Delay"]);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(521)]
    [InlineData(523)]
    [InlineData(524)]
    public async Task BatchReadContactsAsync_ServerError_RetriedWithBackoffThenSucceeds(int status)
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.GivenSequence(
            Request.Create().WithPath("/crm/objects/2026-03/contacts/batch/read").UsingPost(),
            Response.Create().WithStatusCode(status).WithBody("<html>Cloudflare: origin timed out</html>"),
            Response.Create().WithStatusCode(status),
            Json(200, """{"status":"COMPLETE","results":[{"id":"1","properties":{}}]}"""));

        var result = await host.Client.BatchReadContactsAsync(["1"], ["email"], [], CancellationToken.None);

        Assert.Equal("1", Assert.Single(result.Found).Id);
        Assert.Equal(3, _wireMock.Server.LogEntries.Count());
        Assert.All(host.Events(RetryEvent), e => Assert.Equal($"status {status}", e["Outcome"]));
    }

    [Fact]
    public async Task GetPropertyAsync_BadRequest_NotRetriedAndSurfacesHubSpotError()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.Given(Request.Create().WithPath("/crm/properties/2026-03/contacts/bad").UsingGet())
            .RespondWith(Json(400, """{"status":"error","message":"Invalid input","correlationId":"corr-400","category":"VALIDATION_ERROR","subCategory":"x"}"""));

        var exception = await Assert.ThrowsAsync<HubSpotApiException>(() => host.Client.GetPropertyAsync("bad", CancellationToken.None));

        Assert.Single(_wireMock.Server.LogEntries);
        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Equal("VALIDATION_ERROR", exception.Category);
        Assert.Equal("Invalid input", exception.HubSpotMessage);
        Assert.Equal("corr-400", exception.CorrelationId);
    }

    [Fact]
    public async Task GetPropertyAsync_NonJsonErrorBody_SurfacesStatusWithoutParseFailure()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.Given(Request.Create().WithPath("/crm/properties/2026-03/contacts/x").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "text/html").WithBody("<html><body>Forbidden</body></html>"));

        var exception = await Assert.ThrowsAsync<HubSpotApiException>(() => host.Client.GetPropertyAsync("x", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, exception.StatusCode);
        Assert.Null(exception.Category);
    }

    [Fact]
    public async Task ListContactsAsync_AttemptTimesOut_RetriedThenSucceeds()
    {
        // 60 s on a 10× clock: 6 s of real time for the retried attempt, which WireMock answers at once, so a loaded CI machine
        // cannot time it out too (0.5 s, then 2 s, were seen to); the first answer comes after 30 real seconds, well past it.
        using var host = HubSpotTestHost.Create(_wireMock.Url, s =>
        {
            s["HubSpot:AttemptTimeout"] = "00:01:00";
            s["HubSpot:TotalTimeout"] = "00:10:00";
        }, timeProvider: new AcceleratedTimeProvider(10));
        _wireMock.Server.GivenSequence(
            ListContacts,
            Json(200, EmptyContactPage).WithDelay(TimeSpan.FromSeconds(30)),
            Json(200, """{"results":[{"id":"9","properties":{}}]}"""));

        var page = await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        Assert.Equal("9", Assert.Single(page.Results).Id);
        var retry = Assert.Single(host.Events(RetryEvent));
        Assert.Equal("TimeoutRejectedException: HubSpot did not answer within the attempt timeout (00:01:00).", retry["Outcome"]);

        // No response, yet the log names the request, and no rate-limit policy.
        Assert.Equal(("GET", "/crm/objects/2026-03/contacts", "none"), (retry["Method"], retry["Path"], retry["PolicyName"]));
    }

    [Fact]
    public async Task ListContactsAsync_WaitingForTheBudgetLongerThanTheAttemptTimeout_IsNotATimeout()
    {
        // One request per 10 s: the second call waits ~10 s for its slot, more than the attempt timeout, yet HubSpot answers at once.
        // On a clock 5× real time, the 8 s attempt timeout leaves 1.6 real seconds for WireMock's answer even on busy CI cores.
        using var host = HubSpotTestHost.Create(_wireMock.Url, s =>
        {
            s["HubSpot:RequestsPerTenSeconds"] = "1";
            s["HubSpot:RateLimitWindowMargin"] = "00:00:00";
            s["HubSpot:AttemptTimeout"] = "00:00:08";
        }, timeProvider: new AcceleratedTimeProvider(5));
        _wireMock.Server.Given(ListContacts).RespondWith(Json(200, EmptyContactPage));

        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);
        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        Assert.Empty(host.Events(RetryEvent));
        Assert.Equal(2, _wireMock.Server.LogEntries.Count());
    }

    [Fact]
    public async Task ListContactsAsync_TotalTimeoutElapses_SurfacesUnavailable()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url, s =>
        {
            s["HubSpot:AttemptTimeout"] = "00:00:08";
            s["HubSpot:TotalTimeout"] = "00:00:20";
            s["HubSpot:MaxRetryAttempts"] = "10";
        });
        _wireMock.Server.Given(ListContacts).RespondWith(Json(200, EmptyContactPage).WithDelay(TimeSpan.FromSeconds(3)));

        var exception = await Assert.ThrowsAsync<HubSpotUnavailableException>(() => host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None));

        Assert.Contains("timed out after 00:00:20", exception.Message, StringComparison.Ordinal);
        // WireMock logs a delayed request only once it answers, so count the attempts from our own retry log instead.
        Assert.NotEmpty(host.Events(RetryEvent));
        Assert.All(host.Events(RetryEvent), e => Assert.StartsWith("TimeoutRejectedException: ", e["Outcome"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListContactsAsync_RepeatedServerFailures_CircuitOpensAndFailsFastWithoutCallingHubSpot()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url, s =>
        {
            s["HubSpot:CircuitBreakerMinimumThroughput"] = "2";
            s["HubSpot:CircuitBreakerFailureRatio"] = "0.5";
            s["HubSpot:MaxRetryAttempts"] = "1";
        });
        _wireMock.Server.Given(ListContacts).RespondWith(Response.Create().WithStatusCode(503));

        var first = await Assert.ThrowsAsync<HubSpotApiException>(() => host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None));
        var second = await Assert.ThrowsAsync<HubSpotUnavailableException>(() => host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Contains("circuit breaker is open", second.Message, StringComparison.Ordinal);
        Assert.Equal(2, _wireMock.Server.LogEntries.Count());
        Assert.Single(host.Events(CircuitOpenedEvent));
    }

    [Fact]
    public async Task Pipeline_EveryAttemptAcquiresTheRateLimiterOfItsKind()
    {
        var limiter = new CountingLimiter();
        using var host = HubSpotTestHost.Create(_wireMock.Url, s => s["HubSpot:AttemptTimeout"] = "00:02:00", services: s => s.AddSingleton<IHubSpotRateLimiter>(limiter));
        _wireMock.Server.GivenSequence(ListContacts, Response.Create().WithStatusCode(503), Json(200, EmptyContactPage));
        _wireMock.Server.Given(SearchContacts).RespondWith(Json(200, """{"total":0,"results":[]}"""));

        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);
        await host.Client.SearchContactsAsync(new ContactSearchRequest(), CancellationToken.None);

        Assert.Same(limiter, host.Services.GetRequiredService<IHubSpotRateLimiter>());
        // The 503 and its retry each acquire the standard budget, then the search acquires its own (an attempt timeout of 6 real
        // seconds cannot add an attempt on busy cores).
        Assert.Equal([HubSpotRequestKind.Standard, HubSpotRequestKind.Standard, HubSpotRequestKind.Search], limiter.Acquired.ToList());
    }

    [Fact]
    public async Task Pipeline_AccessTokenRotated_NextRequestUsesNewToken()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.Given(ListContacts).RespondWith(Json(200, EmptyContactPage));
        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        host.Configuration["HubSpot:AccessToken"] = "pat-rotated";
        host.Configuration.Reload();
        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);

        var tokens = _wireMock.Server.LogEntries.Select(e => e.RequestMessage!.Headers!["Authorization"].Single()).ToList();
        Assert.Equal([$"Bearer {HubSpotTestHost.Token}", "Bearer pat-rotated"], tokens);
    }

    [Fact]
    public async Task Pipeline_RetriesFailuresAndRateLimits_TokenNeverAppearsInLogsOrExceptions()
    {
        using var host = HubSpotTestHost.Create(_wireMock.Url);
        _wireMock.Server.GivenSequence(ListContacts, RateLimited("TEN_SECONDLY_ROLLING"), Response.Create().WithStatusCode(502), Json(200, EmptyContactPage));
        _wireMock.Server.Given(Request.Create().WithPath("/crm/properties/2026-03/contacts/x").UsingGet()).RespondWith(Json(401, """{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"""));
        _wireMock.Server.Given(SearchContacts).RespondWith(RateLimited("DAILY"));

        await host.Client.ListContactsAsync(new ContactListQuery(), CancellationToken.None);
        var unauthorized = await Assert.ThrowsAsync<HubSpotApiException>(() => host.Client.GetPropertyAsync("x", CancellationToken.None));
        var daily = await Assert.ThrowsAsync<HubSpotDailyLimitExceededException>(() => host.Client.SearchContactsAsync(new ContactSearchRequest(), CancellationToken.None));

        var records = host.Logs.GetSnapshot();
        Assert.True(records.Count >= 5, "the scenario must produce log lines to inspect");
        Assert.Equal(2, host.Events(RetryEvent).Count);
        foreach (var record in records)
        {
            Assert.DoesNotContain(HubSpotTestHost.Token, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(HubSpotTestHost.Token, record.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.All(record.StructuredState ?? [], p => Assert.False(p.Value?.Contains(HubSpotTestHost.Token, StringComparison.Ordinal) ?? false, $"{record.Category} {record.Id} {p.Key}={p.Value}"));
        }

        Assert.DoesNotContain(HubSpotTestHost.Token, unauthorized.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(HubSpotTestHost.Token, daily.ToString(), StringComparison.Ordinal);
    }

    private sealed class CountingLimiter : IHubSpotRateLimiter
    {
        public List<HubSpotRequestKind> Acquired { get; } = [];

        public ValueTask AcquireAsync(HubSpotRequestKind kind, CancellationToken cancellationToken)
        {
            lock (Acquired)
            {
                Acquired.Add(kind);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask PauseAsync(HubSpotRequestKind kind, TimeSpan retryAfter, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
