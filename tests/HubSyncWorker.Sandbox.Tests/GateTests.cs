using System.Net;
using System.Net.Http.Headers;
using HubSyncWorker.Sandbox.Faults;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class GateTests
{
    [Fact]
    public async Task Request_WithoutToken_Returns401WithHubSpotErrorBody()
    {
        await using var session = await SandboxSession.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(session.Sandbox.BaseUrl) };

        var result = await ApiResult.ReadAsync(await anonymous.GetAsync(new Uri("/crm/v3/objects/contacts", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("INVALID_AUTHENTICATION", result.Json["category"]!.GetValue<string>());
        Assert.Equal("error", result.Json["status"]!.GetValue<string>());
        Assert.Equal(1, session.Sandbox.Stats.Requests(SandboxEndpoint.ContactsList, 401));
    }

    [Fact]
    public async Task Request_WithWrongToken_Returns401()
    {
        await using var session = await SandboxSession.StartAsync();
        using var wrong = new HttpClient { BaseAddress = new Uri(session.Sandbox.BaseUrl) };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");

        var response = await wrong.PostAsync(new Uri("/crm/v3/objects/contacts/search", UriKind.Relative), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RevokeAccessToken_UntilRestored_EveryRequestGets401WithHubSpotErrorBodyThenTheSameTokenWorks()
    {
        await using var session = await SandboxSession.StartAsync();
        session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.RevokeAccessToken();
        var revoked = await session.GetAsync("/crm/v3/objects/contacts");
        var revokedProperty = await session.GetAsync("/crm/v3/properties/contacts/lifecyclestage");
        session.Sandbox.RestoreAccessToken();
        var restored = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (revoked.Status, revokedProperty.Status));
        Assert.Equal(("error", "INVALID_AUTHENTICATION"), (revoked.Json["status"]!.GetValue<string>(), revoked.Json["category"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, restored.Status);
        Assert.Single(restored.Json["results"]!.AsArray());
        Assert.False(session.Sandbox.AccessTokenRevoked);
    }

    [Fact]
    public async Task SetAccessToken_Rotated_OldTokenGets401AndNewTokenWorks()
    {
        await using var session = await SandboxSession.StartAsync();
        session.Sandbox.RevokeAccessToken();

        session.Sandbox.SetAccessToken("rotated-token");
        var old = await session.GetAsync("/crm/v3/objects/contacts");
        session.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Sandbox.AccessToken);
        var rotated = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (old.Status, rotated.Status));
        Assert.Equal("rotated-token", session.Sandbox.AccessToken);
    }

    [Fact]
    public async Task InjectedFaults_FailTheNextRequestsThenTheEndpointRecovers()
    {
        var log = new List<SandboxRequestLogEntry>();
        await using var session = await SandboxSession.StartAsync(o => o.RequestLog = entry =>
        {
            lock (log)
            {
                log.Add(entry);
            }
        });
        session.Sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchUpdate, SandboxFault.Status(502), count: 2);
        session.Sandbox.Faults.Inject(SandboxEndpoint.ContactsBatchUpdate, SandboxFault.Status(524));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        var input = new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await session.BatchUpdateAsync(input)).Status);
        }

        Assert.Equal([HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, (HttpStatusCode)524, HttpStatusCode.OK], statuses);
        Assert.Equal("CTO", session.Sandbox.Contacts.GetContact(id)!.Properties["jobtitle"]);
        Assert.Equal(2, session.Sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate, 502));
        Assert.Equal([502, 502, 524, 200], log.Select(e => e.StatusCode));
        Assert.All(log, e => Assert.Equal(SandboxEndpoint.ContactsBatchUpdate, e.Endpoint));
    }

    [Fact]
    public async Task InjectedHang_IsNeverAnsweredUntilTheClientGivesUp()
    {
        await using var session = await SandboxSession.StartAsync();
        session.Sandbox.Faults.Inject(SandboxEndpoint.ContactsList, SandboxFault.HangForever);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            session.Client.GetAsync(new Uri("/crm/v3/objects/contacts", UriKind.Relative), timeout.Token));
        var next = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsNamingEveryBadKey()
    {
        var options = new SandboxOptions { RequestsPerTenSeconds = 0, WebhookTargetUrl = "not a url", SearchIndexLag = TimeSpan.FromSeconds(-1) };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubSpotSandbox.StartAsync(options, CancellationToken.None));

        Assert.Contains(error.Failures, f => f.Contains("Sandbox:RequestsPerTenSeconds = '0'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Sandbox:WebhookTargetUrl = 'not a url'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Sandbox:WebhookClientSecret", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Sandbox:SearchIndexLag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownPath_Returns404WithHubSpotErrorBody()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.GetAsync("/crm/v3/objects/companies");

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Equal("error", result.Json["status"]!.GetValue<string>());
    }
}
