using System.Net;

namespace HubSyncWorker.Sandbox.Tests.Journal;

/// <summary>The client-credentials token endpoint and who may call the journal.</summary>
public sealed class JournalAuthTests
{
    [Fact]
    public async Task Token_ValidCredentials_IssuesTokenThatExpiresOnTheSandboxClock()
    {
        await using var session = await JournalSession.StartAsync();

        var issued = await session.RequestTokenAsync();
        await session.AuthenticateAsync();
        var fresh = await session.GetAsync(JournalSession.Subscriptions);
        session.Clock.Advance(TimeSpan.FromMinutes(30));
        var expired = await session.GetAsync(JournalSession.Subscriptions);
        await session.AuthenticateAsync();
        var renewed = await session.GetAsync(JournalSession.Subscriptions);

        Assert.Equal(HttpStatusCode.OK, issued.Status);
        Assert.Equal("bearer", issued.Json["token_type"]!.GetValue<string>());
        Assert.Equal(1800, issued.Json["expires_in"]!.GetValue<long>());
        Assert.Equal("client_credentials", issued.Json["token_use"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("INVALID_AUTHENTICATION", expired.Json["category"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal(3, session.Sandbox.Journal.TokensIssued);
    }

    [Theory]
    [InlineData("other-client", null, "BAD_CLIENT_ID")]
    [InlineData(null, "wrong-secret", "BAD_CLIENT_SECRET")]
    public async Task Token_BadCredentials_Returns400WithHubSpotsOAuthStatus(string? clientId, string? clientSecret, string expected)
    {
        await using var session = await JournalSession.StartAsync();

        var refused = await session.RequestTokenAsync(clientId: clientId, clientSecret: clientSecret);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(expected, refused.Json["status"]!.GetValue<string>());
        Assert.NotNull(refused.Json["correlationId"]);
        Assert.Null(refused.Json["access_token"]);
    }

    [Fact]
    public async Task Token_JournalScopesRefused_Returns400BadScopesNamingEachScope()
    {
        await using var session = await JournalSession.StartAsync(o => o.Journal.RefuseJournalScopes = true);
        await using var other = await JournalSession.StartAsync();

        var refused = await session.RequestTokenAsync();
        var unknown = await other.RequestTokenAsync("crm.objects.contacts.read made.up.scope");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("BAD_SCOPES", refused.Json["status"]!.GetValue<string>());
        Assert.Equal(
            ["developer.webhooks_journal.read", "developer.webhooks_journal.subscriptions.read", "developer.webhooks_journal.subscriptions.write"],
            refused.Json["context"]!["missingScopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("BAD_SCOPES", unknown.Json["status"]!.GetValue<string>());
        Assert.Equal(["made.up.scope"], unknown.Json["context"]!["missingScopes"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task Journal_PrivateAppTokenOrNoToken_Returns401()
    {
        await using var session = await JournalSession.StartAsync();

        var none = await session.GetAsync(JournalSession.Local + "/earliest");
        session.Client.DefaultRequestHeaders.Authorization = new("Bearer", session.Sandbox.AccessToken);
        var privateApp = await session.GetAsync(JournalSession.Local + "/earliest");

        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, privateApp.Status);
        Assert.Equal("INVALID_AUTHENTICATION", privateApp.Json["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task Journal_TokenWithoutTheReadScope_Returns403MissingScopes()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync("developer.webhooks_journal.subscriptions.read");

        var refused = await session.GetAsync(JournalSession.Local + "/earliest");
        var allowed = await session.GetAsync(JournalSession.Subscriptions);

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("MISSING_SCOPES", refused.Json["category"]!.GetValue<string>());
        Assert.Equal("developer.webhooks_journal.read", refused.Json["errors"]![0]!["context"]!["requiredGranularScopes"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
    }

    [Fact]
    public async Task Journal_WithTheRateBudgetSpent_StillAnswersWhileCrmCallsGet429()
    {
        await using var session = await JournalSession.StartAsync(o =>
        {
            o.EnforceRateLimits = true;
            o.RequestsPerTenSeconds = 1;
        });
        await session.AuthenticateAsync();
        using var crm = new HttpClient { BaseAddress = new Uri(session.Sandbox.BaseUrl) };
        crm.DefaultRequestHeaders.Authorization = new("Bearer", session.Sandbox.AccessToken);

        var firstCrm = await crm.GetAsync(new Uri("/crm/v3/objects/contacts", UriKind.Relative));
        var secondCrm = await crm.GetAsync(new Uri("/crm/v3/objects/contacts", UriKind.Relative));
        var journalReads = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            journalReads.Add((await session.GetAsync(JournalSession.Subscriptions)).Status);
        }

        Assert.Equal(HttpStatusCode.OK, firstCrm.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, secondCrm.StatusCode);
        Assert.All(journalReads, status => Assert.Equal(HttpStatusCode.OK, status));
    }
}
