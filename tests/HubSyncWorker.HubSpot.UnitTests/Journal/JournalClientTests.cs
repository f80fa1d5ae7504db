using System.Net;
using HubSyncWorker.HubSpot.Journal;
using HubSyncWorker.HubSpot.UnitTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace HubSyncWorker.HubSpot.UnitTests.Journal;

/// <summary>The journal client against WireMock: token caching and renewal, reads and files, subscriptions, typed errors.</summary>
public sealed class JournalClientTests : IClassFixture<WireMockFixture>, IDisposable
{
    private const string Local = "/webhooks-journal/journal-local/2026-03";
    private const string Subscriptions = "/webhooks-journal/subscriptions/2026-03";
    private readonly WireMockFixture _wireMock;

    public JournalClientTests(WireMockFixture wireMock)
    {
        _wireMock = wireMock;
        _wireMock.Reset();
    }

    public void Dispose() => _wireMock.Reset();

    private void GivenToken(params string[] tokens) =>
        _wireMock.Server.GivenSequence(Request.Create().WithPath("/oauth/v1/token").UsingPost(),
            [.. tokens.Select(t => WireMockExtensions.Json(200, $$"""{"token_type":"bearer","access_token":"{{t}}","expires_in":1800,"token_use":"client_credentials"}"""))]);

    private void GivenNoSubscriptions() =>
        _wireMock.Server.Given(Request.Create().WithPath(Subscriptions).UsingGet()).RespondWith(WireMockExtensions.Json(200, """{"results":[]}"""));

    private int TokenRequests() => _wireMock.Server.LogEntries.Count(e => e.RequestMessage!.Path == "/oauth/v1/token");

    private List<string?> JournalAuthorizations() => [.. _wireMock.Server.LogEntries
        .Where(e => e.RequestMessage!.Path.StartsWith("/webhooks-journal", StringComparison.Ordinal))
        .Select(e => e.RequestMessage!.Headers?.TryGetValue("Authorization", out var values) == true ? values.Single() : null)];

    [Fact]
    public async Task Token_ManyCalls_IsRequestedOnceWithTheFormAndRenewedBeforeExpiry()
    {
        GivenToken("token-1", "token-2");
        GivenNoSubscriptions();
        using var host = JournalTestHost.Create(_wireMock.Url);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.Client.ListSubscriptionsAsync(CancellationToken.None)));
        host.Clock.Advance(TimeSpan.FromMinutes(24));
        await host.Client.ListSubscriptionsAsync(CancellationToken.None);
        host.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await host.Client.ListSubscriptionsAsync(CancellationToken.None);

        Assert.Equal(2, TokenRequests());
        var form = _wireMock.Server.LogEntries.First(e => e.RequestMessage!.Path == "/oauth/v1/token").RequestMessage!.Body!;
        Assert.Contains("grant_type=client_credentials", form, StringComparison.Ordinal);
        Assert.Contains("client_id=client-1", form, StringComparison.Ordinal);
        Assert.Contains("scope=developer.webhooks_journal.read", form, StringComparison.Ordinal);
        var authorizations = JournalAuthorizations();
        Assert.Equal(11, authorizations.Count(a => a == "Bearer token-1"));
        Assert.Equal("Bearer token-2", authorizations[^1]);
        Assert.DoesNotContain(JournalTestHost.ClientSecret, host.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", host.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_AnsweredWith401_GetsANewTokenAndIsSentOnceMore()
    {
        GivenToken("stale", "fresh");
        _wireMock.Server.Given(Request.Create().WithPath(Subscriptions).UsingGet().WithHeader("Authorization", "Bearer stale"))
            .RespondWith(WireMockExtensions.Json(401, """{"status":"error","message":"expired","category":"INVALID_AUTHENTICATION"}"""));
        _wireMock.Server.Given(Request.Create().WithPath(Subscriptions).UsingGet().WithHeader("Authorization", "Bearer fresh"))
            .RespondWith(WireMockExtensions.Json(200, """{"results":[]}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var subscriptions = await host.Client.ListSubscriptionsAsync(CancellationToken.None);

        Assert.Empty(subscriptions);
        Assert.Equal(["Bearer stale", "Bearer fresh"], JournalAuthorizations());
    }

    [Fact]
    public async Task Token_ScopesRefused_ThrowsScopesRefusedNamingThemWithoutTheSecret()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/oauth/v1/token").UsingPost()).RespondWith(WireMockExtensions.Json(400,
            """{"status":"BAD_SCOPES","message":"not allowed","correlationId":"c-1","context":{"missingScopes":["developer.webhooks_journal.read"]}}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var refused = await Assert.ThrowsAsync<HubSpotJournalScopesRefusedException>(() => host.Client.ReadAsync(null, 10, CancellationToken.None));

        Assert.Equal(["developer.webhooks_journal.read"], refused.Scopes);
        Assert.Contains("Intake:Mode=Webhooks", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(JournalTestHost.ClientSecret, refused.Message, StringComparison.Ordinal);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 1451);
    }

    [Fact]
    public async Task Token_BadClientSecret_ThrowsCredentialsRefused()
    {
        _wireMock.Server.Given(Request.Create().WithPath("/oauth/v1/token").UsingPost())
            .RespondWith(WireMockExtensions.Json(400, """{"status":"BAD_CLIENT_SECRET","message":"missing or invalid client secret","correlationId":"c-2"}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var refused = await Assert.ThrowsAsync<HubSpotJournalCredentialsRefusedException>(() => host.Client.ListSubscriptionsAsync(CancellationToken.None));

        Assert.Contains("BAD_CLIENT_SECRET", refused.Message, StringComparison.Ordinal);
        Assert.Contains("HubSpotJournal:ClientId", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_FromAnOffset_DownloadsEachFileWithoutAuthorizationAndParsesEvents()
    {
        GivenToken("token-1");
        var files = _wireMock.Url + "/files";
        _wireMock.Server.Given(Request.Create().WithPath($"{Local}/batch/off-1/next/2").UsingGet()).RespondWith(WireMockExtensions.Json(200, $$"""
            {"status":"COMPLETE","results":[
              {"currentOffset":"off-2","url":"{{files}}/2.json?signature=a","expiresAt":"2026-12-01T09:15:00Z"},
              {"currentOffset":"off-3","url":"{{files}}/3.json?signature=b","expiresAt":"2026-12-01T09:15:00Z"}],
             "startedAt":"2026-12-01T09:00:00Z","completedAt":"2026-12-01T09:00:00Z"}
            """));
        _wireMock.Server.Given(Request.Create().WithPath("/files/2.json").UsingGet()).RespondWith(WireMockExtensions.Json(200, """
            {"offset":"off-2","journalEvents":[{"objectTypeId":"0-1","objectId":11,"action":"UPDATE","occurredAt":"2026-12-01T08:59:58.123Z",
              "changeSource":"CRM_UI","propertyChanges":{"lifecyclestage":"lead"}}]}
            """));
        _wireMock.Server.Given(Request.Create().WithPath("/files/3.json").UsingGet()).RespondWith(WireMockExtensions.Json(200, """
            {"offset":"off-3","journalEvents":[{"objectTypeId":"0-1","objectId":12,"action":"MERGE","occurredAt":1796115599000,
              "primaryObjectId":12,"mergedObjectIds":[13],"newObjectId":12},
              {"objectTypeId":"0-1","objectId":12,"action":"ASSOCIATION_ADDED","occurredAt":1796115599000,"associatedObjectTypeId":"0-3","associatedObjectId":7}]}
            """));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var page = await host.Client.ReadAsync("off-1", 2, CancellationToken.None);

        Assert.Equal("off-3", page.NextOffset);
        Assert.Equal(["off-2", "off-3"], page.Entries.Select(e => e.Offset));
        var update = Assert.Single(page.Entries[0].Events);
        Assert.Equal(("UPDATE", 11L, "lead"), (update.Action, update.ObjectId, update.PropertyChanges!["lifecyclestage"]));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 59, 58, 123, TimeSpan.Zero), update.OccurredAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796115599000), page.Entries[1].Events[0].OccurredAt);
        Assert.Equal([13L], page.Entries[1].Events[0].MergedObjectIds);
        Assert.Equal(("0-3", 7L), (page.Entries[1].Events[1].AssociatedObjectTypeId, page.Entries[1].Events[1].AssociatedObjectId!.Value));
        var fileRequests = _wireMock.Server.LogEntries.Where(e => e.RequestMessage!.Path.StartsWith("/files/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, fileRequests.Count);
        Assert.All(fileRequests, f => Assert.False(f.RequestMessage!.Headers?.ContainsKey("Authorization") ?? false));
        Assert.DoesNotContain("signature=", host.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_NothingNew_ReturnsAnEmptyPageKeepingTheOffset()
    {
        GivenToken("token-1");
        _wireMock.Server.Given(Request.Create().WithPath($"{Local}/batch/off-9/next/100").UsingGet())
            .RespondWith(WireMockExtensions.Json(200, """{"status":"COMPLETE","results":[],"startedAt":"2026-12-01T09:00:00Z","completedAt":"2026-12-01T09:00:00Z"}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var page = await host.Client.ReadAsync("off-9", 100, CancellationToken.None);

        Assert.True(page.IsEmpty);
        Assert.Equal("off-9", page.NextOffset);
    }

    [Fact]
    public async Task Read_OffsetOlderThanRetention_ThrowsOffsetExpired()
    {
        GivenToken("token-1");
        _wireMock.Server.Given(Request.Create().WithPath($"{Local}/batch/old/next/100").UsingGet())
            .RespondWith(WireMockExtensions.Json(404, """{"status":"error","message":"The offset old has expired or doesn't exist.","category":"OBJECT_NOT_FOUND","correlationId":"c-3"}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var expired = await Assert.ThrowsAsync<HubSpotJournalOffsetExpiredException>(() => host.Client.ReadAsync("old", 100, CancellationToken.None));

        Assert.Equal("old", expired.Offset);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 1461);
    }

    [Fact]
    public async Task Read_TokenWithoutTheJournalScope_ThrowsScopesRefused()
    {
        GivenToken("token-1");
        _wireMock.Server.Given(Request.Create().WithPath($"{Local}/batch/earliest/10").UsingGet()).RespondWith(WireMockExtensions.Json(403, """
            {"status":"error","message":"This app hasn't been granted all required scopes to make this call.","category":"MISSING_SCOPES","correlationId":"c-4",
             "errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["developer.webhooks_journal.read"]}}]}
            """));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var refused = await Assert.ThrowsAsync<HubSpotJournalScopesRefusedException>(() => host.Client.ReadAsync(null, 10, CancellationToken.None));

        Assert.Equal(["developer.webhooks_journal.read"], refused.Scopes);
    }

    [Fact]
    public async Task Read_FileRefused_ThrowsWithoutTheSignedUrl()
    {
        GivenToken("token-1");
        _wireMock.Server.Given(Request.Create().WithPath($"{Local}/batch/off-1/next/1").UsingGet()).RespondWith(WireMockExtensions.Json(200,
            $$"""{"status":"COMPLETE","results":[{"currentOffset":"off-2","url":"{{_wireMock.Url}}/files/2.json?signature=secret-sig","expiresAt":"2026-12-01T09:15:00Z"}]}"""));
        _wireMock.Server.Given(Request.Create().WithPath("/files/2.json").UsingGet()).RespondWith(Response.Create().WithStatusCode(403).WithBody("<Error/>"));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var failed = await Assert.ThrowsAsync<HubSyncWorker.HubSpot.Errors.HubSpotApiException>(() => host.Client.ReadAsync("off-1", 1, CancellationToken.None));

        Assert.Contains("off-2", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-sig", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-sig", host.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureSubscriptions_OneAlreadyAsWantedOneDifferent_UpsertsOnlyTheDifferentOne()
    {
        GivenToken("token-1");
        _wireMock.Server.Given(Request.Create().WithPath(Subscriptions).UsingGet()).RespondWith(WireMockExtensions.Json(200, """
            {"results":[
              {"id":1,"subscriptionType":"OBJECT","objectTypeId":"0-1","portalId":62515,"actions":["UPDATE","CREATE","DELETE","MERGE","RESTORE"],"objectIds":[],"properties":["lifecyclestage","email"]},
              {"id":2,"subscriptionType":"ASSOCIATION","objectTypeId":"0-1","portalId":62515,"actions":["ASSOCIATION_ADDED"],"objectIds":[],"associatedObjectTypeIds":["0-3"]}]}
            """));
        _wireMock.Server.Given(Request.Create().WithPath(Subscriptions).UsingPost()).RespondWith(WireMockExtensions.Json(200,
            """{"id":2,"subscriptionType":"ASSOCIATION","objectTypeId":"0-1","portalId":62515,"actions":["ASSOCIATION_ADDED","ASSOCIATION_REMOVED"],"objectIds":[],"associatedObjectTypeIds":["0-3"]}"""));
        using var host = JournalTestHost.Create(_wireMock.Url);

        var ensured = await host.Client.EnsureSubscriptionsAsync(
            [JournalSubscriptionRequest.ContactChanges(62515, ["email", "lifecyclestage"]), JournalSubscriptionRequest.ContactDealAssociations(62515)], CancellationToken.None);

        Assert.Equal((1, 1), (ensured.Upserted, ensured.Unchanged));
        Assert.Equal([1L, 2L], ensured.Subscriptions.Select(s => s.Id));
        var post = Assert.Single(_wireMock.Server.LogEntries, e => e.RequestMessage!.Method == "POST" && e.RequestMessage!.Path == Subscriptions);
        var body = System.Text.Json.Nodes.JsonNode.Parse(post.RequestMessage!.Body!)!;
        Assert.Equal("ASSOCIATION", body["subscriptionType"]!.GetValue<string>());
        Assert.Equal(62515, body["portalId"]!.GetValue<long>());
        Assert.Equal(["0-3"], body["associatedObjectTypeIds"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Empty(body["objectIds"]!.AsArray());
        Assert.Null(body["properties"]);
    }

    [Fact]
    public void Options_MissingSecretAndReadScope_FailAtStartNamingEachKey()
    {
        using var host = JournalTestHost.Create(_wireMock.Url, s =>
        {
            s["HubSpotJournal:ClientSecret"] = "";
            s["HubSpotJournal:Scopes"] = "developer.webhooks_journal.subscriptions.read";
        });

        var failed = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<HubSpotJournalOptions>>().Value);

        Assert.Contains(failed.Failures, f => f.StartsWith("HubSpotJournal:ClientSecret is missing", StringComparison.Ordinal));
        Assert.Contains(failed.Failures, f => f.StartsWith("HubSpotJournal:Scopes must include developer.webhooks_journal.read", StringComparison.Ordinal));
    }
}
