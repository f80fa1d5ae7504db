using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Webhooks;

/// <summary>
/// Refused deliveries on real Kestrel (embedded store): counted by cause in <c>/metrics</c>, degraded on <c>/health</c> with the
/// likely fix, and a signature made for another URL recognised as a URL mismatch. HubSpot never retries these, so they must be loud.
/// </summary>
public sealed class WebhookRefusalTests : IAsyncLifetime
{
    private const string Secret = "refusal-tests-client-secret";

    // HubSpot, for the token check /health makes (an unreachable one would make every /health wait for its retries).
    private HubSpotSandbox _hubSpot = null!;

    public async Task InitializeAsync() => _hubSpot = await HubSpotSandbox.StartAsync(new SandboxOptions(), default);

    public async Task DisposeAsync() => await _hubSpot.DisposeAsync();

    [Fact]
    public async Task Post_EachKindOfRefusal_IsCountedByCauseAndShownOnHealth()
    {
        await using var worker = await StartAsync();
        var url = Url(worker);
        var body = """[{"eventId":1,"subscriptionType":"contact.creation","objectId":5}]""";

        var noSignature = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var noTimestamp = SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow);
        noTimestamp.Headers.Remove("X-HubSpot-Request-Timestamp");
        var stale = SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow.AddMinutes(-6));
        var wrongSecret = SignedWebhook.V3(url, body, "a-rotated-away-secret", DateTimeOffset.UtcNow);
        var v1 = SignedWebhook.Legacy("v1", url, body, Secret);
        var https = SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow, signedUri: url.Replace("http://", "https://", StringComparison.Ordinal));
        foreach (var request in new[] { noSignature, noTimestamp, stale, wrongSecret, v1, https })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.SendAsync(request)).StatusCode);
        }

        foreach (var cause in new[] { "missing_signature", "bad_timestamp", "stale_timestamp", "bad_signature", "signature_version_not_accepted", "url_mismatch" })
        {
            Assert.Equal(1, await ScrapeAsync(worker, $"hubsync_webhook_refusals_total{{cause=\"{cause}\"}}"));
        }

        Assert.Equal(6, await ScrapeAsync(worker, "hubsync_webhook_requests_total{outcome=\"unauthorized\"}"));
        var (status, description) = await WebhookHealthAsync(worker);
        Assert.Equal("Degraded", status);
        Assert.Contains("6 webhook deliveries refused", description, StringComparison.Ordinal);
        Assert.Contains($"set Webhooks:PublicUrl to {url.Replace("http://", "https://", StringComparison.Ordinal)}", description, StringComparison.Ordinal);
        Assert.Contains("the scheme differs", description, StringComparison.Ordinal);
        Assert.Contains("NTP", description, StringComparison.Ordinal);
        Assert.Contains("Webhooks:ClientSecrets", description, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_NoRefusal_WebhooksCheckIsHealthy()
    {
        await using var worker = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(Url(worker), "[]", Secret, DateTimeOffset.UtcNow))).StatusCode);

        Assert.Equal("Healthy", (await WebhookHealthAsync(worker)).Status);
    }

    [Fact]
    public async Task Post_PublicUrlSetButHubSpotSignedTheWorkersOwnUrl_IsAUrlMismatchNamingIt()
    {
        await using var worker = await StartAsync(new() { ["Webhooks:PublicUrl"] = "https://hubsync.example.com/webhooks/hubspot" });
        var own = Url(worker) + "?portal=62515";

        var response = await worker.Client.SendAsync(SignedWebhook.V3(own, "[]", Secret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, await ScrapeAsync(worker, "hubsync_webhook_refusals_total{cause=\"url_mismatch\"}"));
        var (_, description) = await WebhookHealthAsync(worker);
        Assert.Contains($"HubSpot signed {Url(worker)}, not https://hubsync.example.com/webhooks/hubspot", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BehindAProxyWithoutPublicUrl_TheForwardedUrlIsNamedAsTheFix()
    {
        await using var worker = await StartAsync();
        const string publicUrl = "https://hooks.example.com/webhooks/hubspot";
        var request = SignedWebhook.V3(Url(worker), "[]", Secret, DateTimeOffset.UtcNow, signedUri: publicUrl);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "hooks.example.com");

        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.SendAsync(request)).StatusCode);

        Assert.Equal(1, await ScrapeAsync(worker, "hubsync_webhook_refusals_total{cause=\"url_mismatch\"}"));
        Assert.Contains($"set Webhooks:PublicUrl to {publicUrl}", (await WebhookHealthAsync(worker)).Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_StaleTimestampWithABodyOverTheLimit_IsRefusedOnTheHeadersBeforeTheBodyIsRead()
    {
        await using var worker = await StartAsync(new() { ["Webhooks:MaxBodyBytes"] = "2048" });
        var request = SignedWebhook.V3(Url(worker), "[]", Secret, DateTimeOffset.UtcNow.AddHours(-1));

        // Chunked, no length: only reading the body would find it too large (413).
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + new string(' ', 100_000) + "]")));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;

        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Client.SendAsync(request)).StatusCode);
        Assert.Equal(1, await ScrapeAsync(worker, "hubsync_webhook_refusals_total{cause=\"stale_timestamp\"}"));
    }

    [Fact]
    public async Task Post_DuringAClientSecretRotation_EitherSecretIsAccepted()
    {
        await using var worker = await StartAsync(new() { ["Webhooks:ClientSecret"] = null, ["Webhooks:ClientSecrets:0"] = "the-new-secret", ["Webhooks:ClientSecrets:1"] = Secret });

        var old = await worker.Client.SendAsync(SignedWebhook.V3(Url(worker), "[]", Secret, DateTimeOffset.UtcNow));
        var rotated = await worker.Client.SendAsync(SignedWebhook.V3(Url(worker), "[]", "the-new-secret", DateTimeOffset.UtcNow));
        var other = await worker.Client.SendAsync(SignedWebhook.V3(Url(worker), "[]", "neither-of-them", DateTimeOffset.UtcNow));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (old.StatusCode, rotated.StatusCode, other.StatusCode));
    }

    private Task<WorkerApplication> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HubSpot:AccessToken"] = _hubSpot.AccessToken,
            ["HubSpot:BaseUrl"] = _hubSpot.BaseUrl,
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["Webhooks:ClientSecret"] = Secret,
            ["Sync:IncrementalEnabled"] = "false",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return WorkerApplication.StartAsync(settings);
    }

    private static string Url(WorkerApplication worker) => new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();

    private static async Task<double?> ScrapeAsync(WorkerApplication worker, string sample)
    {
        foreach (var line in (await worker.Client.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static async Task<(string? Status, string Description)> WebhookHealthAsync(WorkerApplication worker)
    {
        using var json = JsonDocument.Parse(await (await worker.Client.GetAsync("/health")).Content.ReadAsStringAsync());
        var check = json.RootElement.GetProperty("checks").GetProperty("webhooks");
        return (check.GetProperty("status").GetString(), check.GetProperty("description").GetString() ?? "");
    }
}
