using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests.Journal;

/// <summary>A sandbox on a fake clock and a plain HttpClient speaking to its token endpoint, journal API and pre-signed files.</summary>
internal sealed class JournalSession : IAsyncDisposable
{
    public const string AllScopes = "developer.webhooks_journal.read developer.webhooks_journal.subscriptions.read developer.webhooks_journal.subscriptions.write";
    public const string Local = "/webhooks-journal/journal-local/2026-03";
    public const string Subscriptions = "/webhooks-journal/subscriptions/2026-03";

    private JournalSession(HubSpotSandbox sandbox, FakeTimeProvider clock)
    {
        Sandbox = sandbox;
        Clock = clock;
        Client = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
    }

    public HubSpotSandbox Sandbox { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Client { get; }

    public static async Task<JournalSession> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var options = new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock };
        configure?.Invoke(options);
        return new JournalSession(await HubSpotSandbox.StartAsync(options, CancellationToken.None), clock);
    }

    public async Task<ApiResult> RequestTokenAsync(string scope = AllScopes, string? clientId = null, string? clientSecret = null, string grantType = "client_credentials")
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = clientId ?? Sandbox.Options.Journal.ClientId,
            ["client_secret"] = clientSecret ?? Sandbox.Options.Journal.ClientSecret,
            ["scope"] = scope,
        });
        return await ApiResult.ReadAsync(await Client.PostAsync(new Uri("/oauth/v1/token", UriKind.Relative), form));
    }

    /// <summary>Gets a token and sends every later call with it.</summary>
    public async Task<string> AuthenticateAsync(string scope = AllScopes)
    {
        var token = (await RequestTokenAsync(scope)).Json["access_token"]!.GetValue<string>();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    public async Task<ApiResult> GetAsync(string path) => await ApiResult.ReadAsync(await Client.GetAsync(new Uri(path, UriKind.Relative)));

    public async Task<ApiResult> DeleteAsync(string path) => await ApiResult.ReadAsync(await Client.DeleteAsync(new Uri(path, UriKind.Relative)));

    public async Task<ApiResult> PostAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return await ApiResult.ReadAsync(await Client.PostAsync(new Uri(path, UriKind.Relative), content));
    }

    /// <summary>Subscribes to every contact change kind the journal knows, <paramref name="properties"/> for UPDATE.</summary>
    public async Task SubscribeAllAsync(params string[] properties)
    {
        var portalId = Sandbox.Options.PortalId;
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Subscriptions, new
        {
            subscriptionType = "OBJECT", portalId, objectTypeId = "0-1", objectIds = Array.Empty<long>(), properties,
            actions = new[] { "CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE" },
        })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Subscriptions, new
        {
            subscriptionType = "ASSOCIATION", portalId, objectTypeId = "0-1", objectIds = Array.Empty<long>(), associatedObjectTypeIds = new[] { "0-3" },
            actions = new[] { "ASSOCIATION_ADDED", "ASSOCIATION_REMOVED" },
        })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Subscriptions, new
        {
            subscriptionType = "GDPR_PRIVACY_DELETION", portalId, objectTypeId = "0-1", actions = new[] { "GDPR_DELETE" },
        })).Status);
    }

    /// <summary>Downloads a pre-signed file with no Authorization header, as a storage client would.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> DownloadAsync(string url)
    {
        using var plain = new HttpClient();
        using var response = await plain.GetAsync(new Uri(url));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every event after the start of the journal, read through batch reads and the files, oldest first.</summary>
    public async Task<List<JsonNode>> ReadAllEventsAsync()
    {
        var batch = await GetAsync(Local + "/batch/earliest/1000");
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        var events = new List<JsonNode>();
        foreach (var result in batch.Results)
        {
            var (status, body) = await DownloadAsync(result!["url"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, status);
            var file = JsonNode.Parse(body)!;
            Assert.Equal(result["currentOffset"]!.GetValue<string>(), file["offset"]!.GetValue<string>());
            events.AddRange(file["journalEvents"]!.AsArray().Select(e => e!));
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Sandbox.DisposeAsync();
    }
}
